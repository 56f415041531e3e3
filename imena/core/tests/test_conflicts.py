"""#19 rows 5 and 6: writes that lose a race answer 409 with a message, not 500.

The races themselves run with threads against the live server in
imena/journals/tests/test_races.py and imena/identification/tests/test_races.py;
here the answer is checked for one forced conflict.
"""

from __future__ import annotations

from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse

from imena.core.middleware import ConflictMiddleware


def _never_called(request: HttpRequest) -> HttpResponse:
    raise AssertionError("the middleware answers without calling the view")


def test_an_integrity_error_answers_409_with_a_message(rf, examiner) -> None:
    request = rf.post("/sites/", HTTP_REFERER="http://testserver/sites/")
    request.user = examiner
    middleware = ConflictMiddleware(_never_called)
    response = middleware.process_exception(
        request, IntegrityError('duplicate key value violates unique constraint "x"')
    )
    assert response is not None
    assert response.status_code == 409
    assert "Someone else changed the same record" in response.content.decode()
    assert 'href="http://testserver/sites/"' in response.content.decode()


def test_other_errors_are_left_alone(rf) -> None:
    middleware = ConflictMiddleware(_never_called)
    assert middleware.process_exception(rf.get("/"), ValueError("x")) is None


def test_a_command_that_loses_a_race_says_so_in_one_line(monkeypatch, capsys) -> None:
    """Two imports of one journal at once: the loser's IntegrityError."""
    import django.core.management

    from imena import cli

    def lose(argv):
        raise IntegrityError('duplicate key value violates unique constraint "x"')

    monkeypatch.setattr(django.core.management, "execute_from_command_line", lose)
    assert cli.main(["import", "journal"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "imena: another change to the same records was made at the same moment; "
        "nothing of this command was stored: run it again"
    ]


def test_an_htmx_request_that_loses_a_race_reloads_with_the_message(rf) -> None:
    from django.contrib.messages import get_messages
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.signed_cookies import SessionStore

    request = rf.post("/journals/review/1/", HTTP_HX_REQUEST="true")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    from django.http import HttpResponse

    response = ConflictMiddleware(lambda r: HttpResponse()).process_exception(
        request, IntegrityError("duplicate key")
    )
    assert response is not None
    assert response.status_code == 409
    assert response["HX-Refresh"] == "true"
    assert [str(m) for m in get_messages(request)] == [response.content.decode()]
