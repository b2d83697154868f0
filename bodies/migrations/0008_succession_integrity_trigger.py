"""Succession integrity in the database (issue 20): no cycle of successions, and no successor dissolved
before its predecessor (or before the day it took over). Constraint triggers, checked at the end of each
statement, on the successions and on an organisation's dates; bodies.successions.record_succession says
the same in words before the database has to."""

from django.db import migrations

CREATE = r"""
CREATE OR REPLACE FUNCTION bodies_succession_check(succession bodies_organisationsuccession)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    predecessor_dissolved date;
    successor_dissolved date;
BEGIN
    SELECT dissolved_on INTO predecessor_dissolved FROM bodies_organisation WHERE id = succession.predecessor_id;
    SELECT dissolved_on INTO successor_dissolved FROM bodies_organisation WHERE id = succession.successor_id;
    IF successor_dissolved IS NOT NULL AND (
        successor_dissolved < succession.effective_on
        OR (predecessor_dissolved IS NOT NULL AND successor_dissolved < predecessor_dissolved)
    ) THEN
        RAISE EXCEPTION USING ERRCODE = '23514', CONSTRAINT = 'succession_successor_not_dissolved_first',
            MESSAGE = 'succession_successor_not_dissolved_first: a successor cannot be dissolved before its '
                      'predecessor, nor before the day it succeeds it';
    END IF;
    IF EXISTS (
        WITH RECURSIVE onward(id) AS (
            SELECT succession.successor_id
            UNION
            SELECT s.successor_id FROM bodies_organisationsuccession s JOIN onward ON s.predecessor_id = onward.id
        )
        SELECT 1 FROM onward WHERE id = succession.predecessor_id
    ) THEN
        RAISE EXCEPTION USING ERRCODE = '23514', CONSTRAINT = 'succession_no_cycle',
            MESSAGE = 'succession_no_cycle: an organisation cannot succeed, directly or not, one of its own successors';
    END IF;
END $$;

CREATE OR REPLACE FUNCTION bodies_succession_integrity() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM bodies_succession_check(NEW);
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION bodies_organisation_succession_dates() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    succession bodies_organisationsuccession;
BEGIN
    IF NEW.dissolved_on IS NOT DISTINCT FROM OLD.dissolved_on THEN
        RETURN NULL;
    END IF;
    FOR succession IN
        SELECT * FROM bodies_organisationsuccession WHERE predecessor_id = NEW.id OR successor_id = NEW.id
    LOOP
        PERFORM bodies_succession_check(succession);
    END LOOP;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER succession_integrity
    AFTER INSERT OR UPDATE ON bodies_organisationsuccession
    FOR EACH ROW EXECUTE FUNCTION bodies_succession_integrity();

CREATE CONSTRAINT TRIGGER organisation_succession_dates
    AFTER UPDATE OF dissolved_on ON bodies_organisation
    FOR EACH ROW EXECUTE FUNCTION bodies_organisation_succession_dates();
"""

DROP = """
DROP TRIGGER IF EXISTS organisation_succession_dates ON bodies_organisation;
DROP TRIGGER IF EXISTS succession_integrity ON bodies_organisationsuccession;
DROP FUNCTION IF EXISTS bodies_organisation_succession_dates();
DROP FUNCTION IF EXISTS bodies_succession_integrity();
DROP FUNCTION IF EXISTS bodies_succession_check(bodies_organisationsuccession);
"""


class Migration(migrations.Migration):
    dependencies = [("bodies", "0007_successions_splits_renames_statutory_stage")]

    operations = [migrations.RunSQL(CREATE, DROP)]
