"""Locust users for the main pages of Imena (issue #13, item 5).

Run by ``benchmarks/bench_web.py``, which starts ``imena serve`` on a loaded database and
passes the pages to visit in ``IMENA_LOCUST_TARGETS`` (JSON: site, body, screening ids
and surnames to search). Each simulated user logs in once as a demo user of the role
that does that work, then walks the pages with short pauses, as a person would.
"""

from __future__ import annotations

import json
import os
import random
import re

from locust import HttpUser, between, task

TARGETS = json.loads(os.environ.get("IMENA_LOCUST_TARGETS", "{}"))
PASSWORD = os.environ.get("IMENA_LOCUST_PASSWORD", "imena-{username}")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class ImenaUser(HttpUser):
    abstract = True
    wait_time = between(0.5, 2.0)
    username = "examiner"

    def on_start(self) -> None:
        page = self.client.get("/accounts/login/", name="login form")
        token = CSRF.search(page.text)
        response = self.client.post(
            "/accounts/login/",
            {
                "username": self.username,
                "password": PASSWORD.format(username=self.username),
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            headers={"Referer": self.host + "/accounts/login/"},
            name="login",
        )
        if "/accounts/login/" in response.url:
            raise RuntimeError(f"login as {self.username} failed")

    def pick(self, key: str) -> object:
        return random.choice(TARGETS[key])


class Examiner(ImenaUser):
    weight = 5
    username = "examiner"

    @task(3)
    def grave_list(self) -> None:
        self.client.get(f"/sites/{self.pick('sites')}/", name="grave list")

    @task(3)
    def body_list(self) -> None:
        self.client.get("/exhumations/", name="body list")

    @task(4)
    def candidates(self) -> None:
        body = self.pick("bodies")
        self.client.get(f"/identification/bodies/{body}/", name="candidates of a body")

    @task(2)
    def review_queue(self) -> None:
        site = self.pick("sites")
        self.client.get(f"/journals/sites/{site}/review/", name="review queue")

    @task(1)
    def statistics(self) -> None:
        site = self.pick("sites")
        page = self.client.get(f"/reports/sites/{site}/statistics/", name="statistics")
        # The page asks for the site record's counts after loading when none are
        # stored or they are old and stale (htmx); a browser would follow it.
        counts = f"/reports/sites/{site}/record-counts/"
        if counts in page.text:
            self.client.get(counts, name="statistics: record counts")

    @task(1)
    def home(self) -> None:
        self.client.get("/", name="work list")


class Liaison(ImenaUser):
    weight = 3
    username = "liaison"

    @task
    def missing_search(self) -> None:
        name = self.pick("surnames")
        self.client.get("/missing/", params={"q": name}, name="missing-person search")


class Analyst(ImenaUser):
    weight = 2
    username = "dna"

    @task
    def screening(self) -> None:
        if TARGETS.get("screenings"):
            run = self.pick("screenings")
            self.client.get(f"/dna/screenings/{run}/", name="screening results")
        else:
            self.client.get("/dna/", name="screening results")
