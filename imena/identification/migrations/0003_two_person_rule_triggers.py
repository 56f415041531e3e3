"""The two-person rule in the database (#19 row 15).

A ``Confirmation``'s reviewer differs from the proposer *of the identification
itself* (not only from the copied ``proposer`` field, which must equal it), and
an identification is ``confirmed`` only with such a confirmation row. Triggers
on SQLite and PostgreSQL; a violation is an IntegrityError.
"""

from django.db import migrations

MESSAGE_PAIR = (
    "confirmation_two_people: the reviewer must differ from the proposer "
    "of the identification, and proposer must be that proposer"
)
MESSAGE_CONFIRMED = (
    "identification_confirmed_needs_confirmation: a confirmed identification "
    "needs a confirmation by a second person"
)


def _tables(apps):
    ident = apps.get_model("identification", "Identification")._meta.db_table
    conf = apps.get_model("identification", "Confirmation")._meta.db_table
    return ident, conf


def _sqlite(ident, conf):
    bad_pair = (
        f"NEW.proposer_id != (SELECT proposed_by_id FROM {ident} "
        f"WHERE id = NEW.identification_id) OR NEW.reviewer_id = "
        f"(SELECT proposed_by_id FROM {ident} WHERE id = NEW.identification_id)"
    )
    no_confirmation = (
        f"NEW.status = 'confirmed' AND NOT EXISTS (SELECT 1 FROM {conf} c "
        f"WHERE c.identification_id = NEW.id AND c.reviewer_id != NEW.proposed_by_id "
        f"AND c.proposer_id = NEW.proposed_by_id)"
    )
    out = []
    for event in ("INSERT", "UPDATE"):
        low = event.lower()
        out.append(
            f"CREATE TRIGGER confirmation_two_people_{low} BEFORE {event} ON {conf} "
            f"FOR EACH ROW WHEN {bad_pair} "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE_PAIR}'); END"
        )
        out.append(
            f"CREATE TRIGGER identification_confirmed_check_{low} BEFORE {event} "
            f"ON {ident} FOR EACH ROW WHEN {no_confirmation} "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE_CONFIRMED}'); END"
        )
    return out


def _postgres(ident, conf):
    return [
        f"""
CREATE FUNCTION confirmation_two_people_check() RETURNS trigger AS $$
DECLARE proposer bigint;
BEGIN
  SELECT proposed_by_id INTO proposer FROM {ident} WHERE id = NEW.identification_id;
  IF NEW.proposer_id IS DISTINCT FROM proposer OR NEW.reviewer_id = proposer THEN
    RAISE EXCEPTION '{MESSAGE_PAIR}' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql""",
        f"CREATE TRIGGER confirmation_two_people BEFORE INSERT OR UPDATE ON {conf} "
        "FOR EACH ROW EXECUTE FUNCTION confirmation_two_people_check()",
        f"""
CREATE FUNCTION identification_confirmed_check() RETURNS trigger AS $$
BEGIN
  IF NEW.status = 'confirmed' AND NOT EXISTS (
      SELECT 1 FROM {conf} c WHERE c.identification_id = NEW.id
      AND c.reviewer_id <> NEW.proposed_by_id AND c.proposer_id = NEW.proposed_by_id)
  THEN
    RAISE EXCEPTION '{MESSAGE_CONFIRMED}' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql""",
        f"CREATE TRIGGER identification_confirmed_check BEFORE INSERT OR UPDATE "
        f"ON {ident} FOR EACH ROW EXECUTE FUNCTION identification_confirmed_check()",
    ]


def forwards(apps, schema_editor):
    ident, conf = _tables(apps)
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        statements = _sqlite(ident, conf)
    elif vendor == "postgresql":
        statements = _postgres(ident, conf)
    else:  # pragma: no cover - Imena runs on SQLite and PostgreSQL only
        return
    for sql in statements:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    ident, conf = _tables(apps)
    if schema_editor.connection.vendor == "sqlite":
        for name in (
            "confirmation_two_people_insert",
            "confirmation_two_people_update",
            "identification_confirmed_check_insert",
            "identification_confirmed_check_update",
        ):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
    elif schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"DROP TRIGGER IF EXISTS confirmation_two_people ON {conf}"
        )
        schema_editor.execute(
            f"DROP TRIGGER IF EXISTS identification_confirmed_check ON {ident}"
        )
        schema_editor.execute("DROP FUNCTION IF EXISTS confirmation_two_people_check()")
        schema_editor.execute("DROP FUNCTION IF EXISTS identification_confirmed_check()")


class Migration(migrations.Migration):
    dependencies = [("identification", "0002_screening_from_dna")]

    operations = [migrations.RunPython(forwards, backwards)]
