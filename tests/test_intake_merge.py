"""Likely duplicates as people arrive (by hand, by application), the duplicates list and
who sees which pair, "not the same person", and a merge with every related record, and
its undo."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.intake.duplicates import Person, close_emails, reasons_between
from portal.models import (
    Application,
    Assignment,
    AuditEvent,
    Candidate,
    CandidateMerge,
    DuplicatePair,
    EmailKind,
    OutboxEmail,
    Role,
    Step,
)


@pytest.mark.parametrize(
    ("one", "other", "reasons"),
    [
        (("Zoë Nguyễn", "z@a.ca"), ("zoe nguyen", "Z@A.CA"), ["email"]),
        (
            ("Ann Lee", "a@x.ca", "416-555-0101"),
            ("Bo Kim", "b@x.ca", "+1 (416) 555 0101"),
            ["phone"],
        ),
        (
            ("Nguyen, Zoë", "z1@a.ca", "", "Toronto"),
            ("Zoe NGUYEN", "q@b.ca", "", "toronto"),
            ["name_city"],
        ),
        (("Ann Lee", "ann.lee@x.ca"), ("Lee Ann", "ann.lee@y.ca"), ["name_email"]),
        (("Ann Lee", "annlee@x.ca"), ("Ann Lee", "anlee@x.ca"), ["name_email"]),
        (("Ann Lee", "ann@x.ca", "", "Toronto"), ("Ann Lee", "zed@y.ca", "", "Ottawa"), []),
        (("Ann Lee", "ann@x.ca"), ("Bo Kim", "bo@y.ca"), []),
    ],
)
def test_what_makes_two_records_likely_one_person(one, other, reasons):
    assert reasons_between(Person(*one), Person(*other)) == reasons


def test_close_emails():
    assert close_emails("zoe@example.com", "zoe@exmaple.com")
    assert close_emails("zoe@example.com", "zoe@other.ca")
    assert not close_emails("zoe@example.com", "zoe@example.com")
    assert not close_emails("ann@example.com", "bob@elsewhere.ca")


# Arriving by hand -------------------------------------------------------------------------


def _new(client, **fields):
    data = {
        "name": "Zoë Nguyễn",
        "email": "zoe.n@example.com",
        "phone": "416 555 0199",
        "role_sought": "paralegal",
        "status": "active",
        "city": "Toronto",
        "notes": "",
        **fields,
    }
    return client.post("/candidates/new", data=data)


def test_adding_someone_who_may_be_on_file_warns_first(app, login_as, make):
    client = login_as(Role.RECRUITER)
    mine = make.candidate(
        client.user, name="Zoe Nguyen", email="zoe@old.example.com", phone="416-555-0199"
    )
    theirs = make.candidate(
        make.user(Role.RECRUITER),
        name="Other Person",
        email="o@example.com",
        phone="(416) 555-0199",
    )
    warned = _new(client)
    page = warned.get_data(as_text=True)
    assert warned.status_code == 422
    assert "This may be someone already on file" in page
    assert f"/candidates/{mine.id}" in page and "the same phone number" in page
    assert (
        "Other Person" not in page and f"/candidates/{theirs.id}" not in page
    )  # not theirs to see
    assert "1 more on another recruiter" in page
    with app.app_context():
        assert db.session.scalar(select(func.count(Candidate.id))) == 2
    saved = _new(client, different_person="y")
    assert saved.status_code == 302
    with app.app_context():
        new = db.session.scalars(
            select(Candidate).where(Candidate.email == "zoe.n@example.com")
        ).one()
        assert new.phone == "+1 416-555-0199"
        pairs = db.session.scalars(select(DuplicatePair)).all()
        assert {(p.first_id, p.second_id, p.found_through) for p in pairs} == {
            (mine.id, new.id, "hand"),
            (theirs.id, new.id, "hand"),
        }


def test_no_warning_for_someone_new(login_as):
    client = login_as(Role.RECRUITER)
    assert _new(client).status_code == 302


# Arriving by application --------------------------------------------------------------------


def test_an_applicant_who_may_be_on_file_is_flagged_and_a_known_one_told_to_their_recruiter(
    app, make, client
):
    from portal.jobs.applications import Applicant, apply
    from portal.models import JobPosting, RoleSought

    recruiter = make.user(Role.RECRUITER, name="Riley Recruiter")
    known = make.candidate(recruiter, name="Known Person", email="known@example.com")
    make.candidate(
        recruiter, name="Sam Tremblay", email="sam@work.example.com", phone="905-555-0111"
    )
    job = make.job(make.employer(), recruiter_id=recruiter.id)
    now = datetime.now(UTC)
    with app.test_request_context():
        posting = JobPosting(job_id=job.id, version=1, content={}, covered=False, published_at=now)
        db.session.add(posting)
        db.session.flush()
        job_row = db.session.get(type(posting).job.property.mapper.class_, job.id)
        apply(
            job_row,
            posting,
            Applicant("Known Person", "KNOWN@example.com", "", RoleSought.PARALEGAL, ""),
            None,
            "s1",
            now,
        )
        apply(
            job_row,
            posting,
            Applicant(
                "Tremblay Sam", "sam@home.example.com", "905 555 0111", RoleSought.PARALEGAL, ""
            ),
            None,
            "s2",
            now,
        )
        db.session.commit()
        told = db.session.scalars(
            select(OutboxEmail).where(OutboxEmail.kind == EmailKind.RETURNING_APPLICANT)
        ).all()
        assert [(e.user_id, e.application.candidate_id) for e in told] == [(recruiter.id, known.id)]
        pair = db.session.scalars(select(DuplicatePair)).one()
        assert pair.found_through == "application" and "phone" in pair.reasons
        assert (
            db.session.scalar(
                select(func.count(Application.id)).where(Application.candidate_id == known.id)
            )
            == 1
        )


# The list and who sees it ---------------------------------------------------------------------


@pytest.fixture
def pair(app, make):
    """Two records of one person (a recruiter's), the older with an interview, steps and
    an application; the newer with a sign-in; plus a pair across two recruiters."""
    recruiter = make.user(Role.RECRUITER, name="Riley Recruiter")
    other = make.user(Role.RECRUITER, name="Rowan Other")
    signs_in = make.user(Role.CANDIDATE, name="Zoe Nguyen", email="zoe@new.example.com")
    older = make.candidate(
        recruiter,
        name="Zoë Nguyễn",
        email="zoe@old.example.com",
        phone="+1 416-555-0199",
        city="Toronto",
        notes="Prefers litigation.",
    )
    newer = make.candidate(
        other,
        user=signs_in,
        name="Zoe Nguyen",
        email="zoe@new.example.com",
        phone="+1 416-555-0199",
    )
    employer = make.employer()
    first = make.interview(older, employer, starts_at=datetime.now(UTC) - timedelta(days=10))
    second = make.interview(newer, employer, starts_at=datetime.now(UTC) - timedelta(days=3))
    with app.app_context():
        db.session.add(
            AuditEvent(
                action="candidate.edited",
                detail="newer edited",
                candidate_id=newer.id,
                at=datetime.now(UTC),
            )
        )
        db.session.add(
            DuplicatePair(
                first_id=older.id,
                second_id=newer.id,
                reasons="phone,name_email",
                found_through="import",
                found_at=datetime.now(UTC),
            )
        )
        db.session.commit()
        pair_id = db.session.scalar(select(DuplicatePair.id))
    return {
        "id": pair_id,
        "older": older,
        "newer": newer,
        "recruiter": recruiter,
        "other": other,
        "interviews": (first, second),
    }


def test_who_sees_a_pair(login_as, pair, make):
    admin = login_as(Role.ADMIN)
    assert "Zoë Nguyễn" in admin.get("/duplicates").get_data(as_text=True)
    # A recruiter who has only one of the two sees neither the pair nor its pages.
    riley = login_as(Role.RECRUITER, user=pair["recruiter"])
    assert "No likely duplicates" in riley.get("/duplicates").get_data(as_text=True)
    assert riley.get(f"/duplicates/{pair['id']}/merge").status_code == 404
    assert riley.post(f"/duplicates/{pair['id']}/dismiss").status_code == 404
    assert riley.post(f"/duplicates/{pair['id']}/merge", data={"keep": "first"}).status_code == 404
    stranger = login_as(Role.CANDIDATE)
    assert stranger.get("/duplicates").status_code == 403


def test_a_recruiter_with_both_records_sees_the_pair(app, login_as, pair):
    with app.app_context():
        db.session.get(Candidate, pair["newer"].id).recruiter_id = pair["recruiter"].id
        db.session.commit()
    riley = login_as(Role.RECRUITER, user=pair["recruiter"])
    page = riley.get("/duplicates").get_data(as_text=True)
    assert "the same phone number, the same name and a close email" in page.lower()


def test_not_the_same_person_dismisses_the_pair_for_good(app, login_as, pair):
    admin = login_as(Role.ADMIN)
    assert admin.post(f"/duplicates/{pair['id']}/dismiss").status_code == 303
    assert "No likely duplicates" in admin.get("/duplicates").get_data(as_text=True)
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count(AuditEvent.id)).where(AuditEvent.action == "duplicate.dismissed")
            )
            == 2
        )


# Merging -------------------------------------------------------------------------------------


def _state(app, *ids):
    """Everything that points at each candidate, by table."""
    with app.app_context():
        out = {}
        for cid in ids:
            out[cid] = {
                model.__tablename__: sorted(
                    db.session.scalars(select(model.id).where(model.candidate_id == cid))
                )
                for model in (Assignment, AuditEvent, Step, Application)
            } | {
                "interviews": sorted(
                    i.id
                    for i in db.session.scalars(select(Candidate).where(Candidate.id == cid))
                    .one()
                    .interviews
                )
            }
        return out


def _figures(app):
    with app.app_context():
        return db.session.execute(
            select(Step.recruiter_id, Step.result, func.count(Step.id))
            .group_by(Step.recruiter_id, Step.result)
            .order_by(Step.recruiter_id, Step.result)
        ).all()


def test_merge_moves_everything_and_undo_puts_it_back(app, login_as, pair):
    older, newer = pair["older"], pair["newer"]
    admin = login_as(Role.ADMIN)
    before = _state(app, older.id, newer.id)
    with app.app_context():
        old_rows = {
            c.id: (c.name, c.email, c.phone, c.city, c.notes, c.recruiter_id, c.user_id)
            for c in db.session.scalars(select(Candidate))
        }
        settled_before = db.session.execute(
            select(Step.id, Step.recruiter_id, Step.result, Step.due_at).where(
                Step.result.is_not(None)
            )
        ).all()
    page = admin.get(f"/duplicates/{pair['id']}/merge").get_data(as_text=True)
    assert "Keep the record of" in page and "Prefers litigation." in page
    merged = _merge_keeping(admin, pair, "first", email="second")
    assert merged.status_code == 303, merged.get_data(as_text=True)
    with app.app_context():
        kept = db.session.get(Candidate, older.id)
        assert db.session.get(Candidate, newer.id) is None
        assert (kept.name, kept.email, kept.city, kept.user_id) == (
            "Zoë Nguyễn",
            "zoe@new.example.com",
            "Toronto",
            newer.user_id,
        )
        assert kept.user.name == "Zoë Nguyễn"  # the sign-in's name follows
        assert {i.id for i in kept.interviews} == {i.id for i in pair["interviews"]}
        assert (
            db.session.scalar(select(func.count(Step.id)).where(Step.candidate_id == newer.id)) == 0
        )
        assert (
            db.session.scalar(
                select(func.count(Step.id)).where(
                    Step.candidate_id == older.id,
                    Step.result.is_(None),
                    Step.recruiter_id != pair["recruiter"].id,
                )
            )
            == 0
        )
        assert db.session.scalar(select(func.count(DuplicatePair.id))) == 0
        open_stretches = db.session.scalars(
            select(Assignment).where(
                Assignment.candidate_id == older.id, Assignment.ended_at.is_(None)
            )
        ).all()
        assert [a.recruiter_id for a in open_stretches] == [pair["recruiter"].id]
        assert (
            db.session.execute(
                select(Step.id, Step.recruiter_id, Step.result, Step.due_at).where(
                    Step.result.is_not(None)
                )
            ).all()
            == settled_before
        )
        assert (
            db.session.scalar(
                select(func.count(AuditEvent.id)).where(
                    AuditEvent.action == "candidate.merged", AuditEvent.candidate_id == older.id
                )
            )
            == 1
        )
    # Undo, from the merges page the audit trail links to.
    audit = admin.get("/admin/audit").get_data(as_text=True)
    assert f"/candidates/{older.id}/merges" in audit
    merges = admin.get(f"/candidates/{older.id}/merges").get_data(as_text=True)
    merge_id = int(re.search(r"/merges/(\d+)/undo", merges).group(1))
    undone = admin.post(f"/candidates/{older.id}/merges/{merge_id}/undo")
    assert undone.status_code == 303
    after = _state(app, older.id, newer.id)
    for cid in (older.id, newer.id):
        for table, ids in before[cid].items():
            assert set(ids) <= set(after[cid][table]), (cid, table)
    with app.app_context():
        rows = {
            c.id: (c.name, c.email, c.phone, c.city, c.notes, c.recruiter_id, c.user_id)
            for c in db.session.scalars(select(Candidate))
        }
        assert rows == old_rows
        assert db.session.get(Candidate, newer.id).user.name == "Zoe Nguyen"
        assert db.session.scalar(select(func.count(DuplicatePair.id))) == 1
        assert db.session.scalars(select(CandidateMerge)).one().undone_at is not None
        assert db.session.get(Candidate, newer.id).search_text  # found by search again
    assert "Undone " in admin.get(f"/candidates/{older.id}/merges").get_data(as_text=True)
    assert (
        admin.post(f"/candidates/{older.id}/merges/{merge_id}/undo").status_code == 303
    )  # refused, said


def test_compliance_figures_do_not_change_through_a_merge(app, login_as, pair):
    admin = login_as(Role.ADMIN)
    before = _figures(app)
    _merge_keeping(admin, pair, "second")
    with app.app_context():
        assert db.session.get(Candidate, pair["older"].id) is None
    after = _figures(app)
    settled = lambda rows: [r for r in rows if r[1] is not None]
    assert settled(after) == settled(before)
    assert sum(r[2] for r in after) == sum(r[2] for r in before)


def test_two_sign_ins_cannot_be_merged(app, login_as, make, pair):
    with app.app_context():
        user = make.user(Role.CANDIDATE, email="zoe.other@example.com")
        db.session.get(Candidate, pair["older"].id).user_id = user.id
        db.session.commit()
    admin = login_as(Role.ADMIN)
    page = admin.get(f"/duplicates/{pair['id']}/merge").get_data(as_text=True)
    assert "Both have a sign-in" in page
    refused = admin.post(f"/duplicates/{pair['id']}/merge", data={"keep": "first"})
    assert refused.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count(Candidate.id))) == 2


def test_a_merge_older_than_30_days_cannot_be_undone(app, login_as, pair):
    admin = login_as(Role.ADMIN)
    _merge_keeping(admin, pair, "first")
    with app.app_context():
        merged = db.session.scalars(select(CandidateMerge)).one()
        merged.merged_at -= timedelta(days=31)
        db.session.commit()
        merge_id = merged.id
    page = admin.get(f"/candidates/{pair['older'].id}/merges").get_data(as_text=True)
    assert "can be undone for 30 days; this one is older" in page
    admin.post(f"/candidates/{pair['older'].id}/merges/{merge_id}/undo")
    with app.app_context():
        assert db.session.get(Candidate, pair["newer"].id) is None


def test_merges_of_someone_elses_candidate_are_not_found(login_as, pair, make):
    admin = login_as(Role.ADMIN)
    _merge_keeping(admin, pair, "first")
    rowan = login_as(Role.RECRUITER, user=pair["other"])
    assert rowan.get(f"/candidates/{pair['older'].id}/merges").status_code == 404
    assert rowan.post(f"/candidates/{pair['older'].id}/merges/1/undo").status_code == 404


def test_both_notes_can_be_kept(app, login_as, pair, make):
    with app.app_context():
        db.session.get(Candidate, pair["newer"].id).notes = "Speaks Portuguese."
        db.session.commit()
    admin = login_as(Role.ADMIN)
    assert "Both, one after the other" in admin.get(f"/duplicates/{pair['id']}/merge").get_data(
        as_text=True
    )
    _merge_keeping(admin, pair, "first", notes="both")
    with app.app_context():
        assert (
            db.session.get(Candidate, pair["older"].id).notes
            == "Prefers litigation.\n\nSpeaks Portuguese."
        )


def _merge_keeping(client, pair, side: str, **picks):
    """Merge the pair, keeping ``side``'s record and, unless ``picks`` says otherwise, its
    values."""
    fields = ("name", "email", "phone", "role_sought", "status", "city", "notes", "recruiter_id")
    data = {"keep": side, **dict.fromkeys(fields, side), **picks}
    return client.post(f"/duplicates/{pair['id']}/merge", data=data)


def test_an_edit_that_makes_a_record_look_like_another_flags_the_pair(app, login_as, make):
    client = login_as(Role.RECRUITER)
    make.candidate(client.user, name="Ann Lee", email="ann@example.com", phone="416-555-0101")
    other = make.candidate(client.user, name="Bo Kim", email="bo@example.com")
    response = client.post(
        f"/candidates/{other.id}/edit",
        data={"name": "Bo Kim", "email": "bo@example.com", "phone": "(416) 555-0101",
              "role_sought": "paralegal", "status": "active", "city": "", "notes": ""},
    )  # fmt: skip
    assert response.status_code == 302
    assert "look like someone else on file" in client.get(response.location).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(DuplicatePair)).one().reasons == "phone"


def test_a_candidates_data_export_lists_their_merges_and_pairs(app, login_as, pair):
    admin = login_as(Role.ADMIN)
    _merge_keeping(admin, pair, "first")
    exported = admin.get(f"/admin/candidates/{pair['older'].id}/export.json")
    assert exported.status_code == 200
    data = exported.get_json()
    assert data["merged_records"][0]["record"]["email"] == "zoe@new.example.com"
    assert data["likely_duplicates"] == []  # the pair went with the merged record
