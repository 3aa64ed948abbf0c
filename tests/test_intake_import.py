"""Importing the agency's spreadsheets: encodings, separators, recognised and chosen
columns, refused rows with their reasons, one transaction, a re-import that adds nothing."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import func, select

from portal.background import wait_for_background
from portal.extensions import db
from portal.intake.columns import recognise
from portal.intake.phones import PhoneRefused, normalise_phone
from portal.intake.table import TableRefused, read_table
from portal.models import (
    Assignment,
    AuditEvent,
    Candidate,
    CandidateStatus,
    DuplicatePair,
    Employer,
    ImportBatch,
    ImportStatus,
    Job,
    Role,
    RoleSought,
)

HEADER = "Nom complet;Courriel;Téléphone;Poste recherché;Ville;Recruteur\n"
ROWS = (
    "Zoë Nguyễn;Zoe.Nguyen@Example.com;(416) 555-0199;Parajuriste;Toronto;{recruiter}\n"
    "Amélie Côté;amelie.cote@example.com;905.555.0123 x 12;law clerk;Mississauga;\n"
)


# The file ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "encoding", "separator"),
    [
        ("name,email\nZoë,z@example.com\n".encode(), "utf-8", ","),
        (b"\xef\xbb\xbf" + "name,email\nZoë,z@example.com\n".encode(), "utf-8-sig", ","),
        ("name;email\nZoë;z@example.com\n".encode("cp1252"), "cp1252", ";"),
        ("name\temail\r\nZoë\tz@example.com\r\n".encode(), "utf-8", "\t"),
        ('"name; full",email\n"Côté, Amélie",a@example.com\n'.encode(), "utf-8", ","),
    ],
)
def test_encodings_and_separators_are_worked_out(data, encoding, separator):
    table = read_table(data)
    assert (table.encoding, table.separator) == (encoding, separator)
    assert table.rows[0].cells[0] in ("Zoë", "Côté, Amélie")  # accents kept, whatever the bytes
    assert table.rows[0].line == 2


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"", "empty"),
        (b"name,email\n", "no rows"),
        ("name,email\n".encode("utf-16"), "UTF-16"),
        (b"PK\x03\x04rest of a workbook", "Excel workbook"),
        (b"name,email\n\x81\x8d\x8f,x\n", "neither UTF-8 nor Windows-1252"),
        (b'name,email\n"open quote,x\n', "quote"),
        (b"a" * (10 * 1024 * 1024 + 1), "larger than 10 MB"),
    ],
)
def test_what_is_not_a_spreadsheet_is_refused_with_the_reason(data, says):
    with pytest.raises(TableRefused, match=says):
        read_table(data)


def test_row_numbers_are_the_spreadsheets_own():
    table = read_table(b'name,notes\nA,"two\nlines"\n\nB,x\n')
    assert [(r.line, r.cells[0]) for r in table.rows] == [(2, "A"), (4, "B")]


@pytest.mark.parametrize(
    ("written", "kept"),
    [
        ("416-555-0199", "+1 416-555-0199"),
        ("(416) 555 0199", "+1 416-555-0199"),
        ("+1 416.555.0199", "+1 416-555-0199"),
        ("1-905-555-0123 ext. 45", "+1 905-555-0123 ext. 45"),
        ("647 555 0100 x7", "+1 647-555-0100 ext. 7"),
        ("+44 20 7946 0958", "+44 20 7946 0958"),
        ("", ""),
    ],
)
def test_phone_numbers_are_kept_one_way(written, kept):
    assert normalise_phone(written) == kept


@pytest.mark.parametrize("written", ["555-0199", "call me", "016-555-0199", "416-555-01999"])
def test_what_is_not_a_phone_number_is_refused(written):
    with pytest.raises(PhoneRefused):
        normalise_phone(written)


def test_headers_are_recognised_in_english_or_french_in_any_order():
    assert recognise(("E-mail", "Full Name", "Cell", "Statut", "Whatever"), "candidates") == [
        "email",
        "name",
        "phone",
        "status",
        "",
    ]
    assert recognise(("Prénom", "Nom de famille", "COURRIEL"), "candidates") == [
        "first_name",
        "last_name",
        "email",
    ]


# The pages --------------------------------------------------------------------------------


def _upload(client, data: bytes, kind: str = "candidates", name: str = "agency.csv"):
    return client.post(
        "/admin/imports",
        data={"kind": kind, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _batch_id(response) -> int:
    assert response.status_code == 303, response.get_data(as_text=True)
    return int(re.search(r"/admin/imports/(\d+)", response.headers["Location"]).group(1))


def _start(client, batch_id: int):
    response = client.post(f"/admin/imports/{batch_id}/start")
    assert response.status_code == 303
    with client.application.app_context():
        assert wait_for_background()
    return client.get(f"/admin/imports/{batch_id}")


def _candidates(app) -> dict[str, Candidate]:
    with app.app_context():
        return {c.email: c for c in db.session.scalars(select(Candidate))}


@pytest.fixture
def admin(login_as):
    return login_as(Role.ADMIN, name="Avery Admin")


def test_a_french_excel_file_is_previewed_then_imported_in_one_go(app, admin, make):
    recruiter = make.user(Role.RECRUITER, name="Riley Recruiter", email="riley@example.com")
    data = (HEADER + ROWS.format(recruiter="riley@example.com")).replace("ễ", "e").encode("cp1252")
    batch_id = _batch_id(_upload(admin, data))
    preview = admin.get(f"/admin/imports/{batch_id}")
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "Windows-1252, semicolon-separated" in page
    assert "<strong>2</strong> to add" in page
    assert "+1 416-555-0199" in page and "+1 905-555-0123 ext. 12" in page  # as stored
    assert _candidates(app) == {}  # nothing written before the admin confirms
    done = _start(admin, batch_id).get_data(as_text=True)
    assert "<strong>2</strong> added" in done
    people = _candidates(app)
    zoe = people["zoe.nguyen@example.com"]
    assert (zoe.name, zoe.phone, zoe.city) == ("Zoë Nguyen", "+1 416-555-0199", "Toronto")
    assert zoe.role_sought == RoleSought.PARALEGAL and zoe.status == CandidateStatus.ACTIVE
    assert zoe.recruiter_id == recruiter.id
    assert people["amelie.cote@example.com"].recruiter_id is None
    with app.app_context():
        assert db.session.scalar(select(func.count(Assignment.id))) == 1
        assert (
            db.session.scalar(
                select(func.count(AuditEvent.id)).where(AuditEvent.action == "candidate.created")
            )
            == 2
        )
        batch = db.session.get(ImportBatch, batch_id)
        assert batch.status == ImportStatus.DONE and batch.content is None
    report = admin.get(f"/admin/imports/{batch_id}/report.csv")
    rows = list(csv.reader(io.StringIO(report.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["Row", "Outcome", "Name or title", "Reason"]
    assert [r[1] for r in rows[1:]] == ["created", "created"]
    # The report names people: the admin may delete it; what it imported stays.
    assert admin.post(f"/admin/imports/{batch_id}/discard").status_code == 303
    assert admin.get(f"/admin/imports/{batch_id}/report.csv").status_code == 404
    assert len(_candidates(app)) == 2


def test_refused_rows_are_listed_with_their_reasons_and_left_out(app, admin, make):
    make.user(Role.RECRUITER, name="Sam Same", email="sam1@example.com")
    make.user(Role.RECRUITER, name="Sam Same", email="sam2@example.com")
    make.candidate(email="taken@example.com", name="Already Here")
    data = (
        b"Name,Email,Phone,Role,Recruiter,Status\n"
        b"Good Row,good@example.com,416-555-0101,paralegal,,\n"
        b",noname@example.com,,paralegal,,\n"
        b"Bad Email,not-an-email,,paralegal,,\n"
        b"Bad Phone,phone@example.com,555-01,paralegal,,\n"
        b"Bad Role,role@example.com,,astronaut,,\n"
        b"Who,who@example.com,,paralegal,nobody@example.com,\n"
        b"Twice Named,twice@example.com,,paralegal,Sam Same,\n"
        b"Bad Status,status@example.com,,paralegal,,retired\n"
        b"Good Twice,GOOD@example.com,,paralegal,,\n"
        b"Already Here,Taken@Example.com,,paralegal,,\n"
        b"=cmd|' /C calc'!A0,formula@example.com,,paralegal,,\n"
    )
    batch_id = _batch_id(_upload(admin, data))
    page = admin.get(f"/admin/imports/{batch_id}").get_data(as_text=True)
    for reason in (
        "no name",
        "email \u201cnot-an-email\u201d is not an email address",
        "phone \u201c555-01\u201d",
        "role sought \u201castronaut\u201d is not one of",
        "no recruiter \u201cnobody@example.com\u201d",
        "two recruiters are named \u201cSam Same\u201d",
        "status \u201cretired\u201d is not one of",
        "the same email as row 2",
    ):
        assert reason in page, reason
    assert "<strong>2</strong> to add" in page and "<strong>1</strong> already on file" in page
    _start(admin, batch_id)
    assert set(_candidates(app)) == {"good@example.com", "taken@example.com", "formula@example.com"}
    report = admin.get(f"/admin/imports/{batch_id}/report.csv").get_data(as_text=True)
    assert "refused" in report and "matches record #" in report
    assert "'=cmd" in report  # a cell that starts like a formula is written as text


def test_a_reimport_of_the_same_file_adds_nothing(app, admin):
    data = b"name,email,role\nOnce Only,once@example.com,paralegal\n"
    _start(admin, _batch_id(_upload(admin, data)))
    again = _batch_id(_upload(admin, data))
    page = admin.get(f"/admin/imports/{again}").get_data(as_text=True)
    assert "Nothing in this file is new" in page
    assert len(_candidates(app)) == 1


def test_columns_not_recognised_are_chosen_by_the_admin(app, admin):
    data = b"Who,Where to write,Wants\nMia Rossi,mia@example.com,law clerk\n"
    batch_id = _batch_id(_upload(admin, data))
    page = admin.get(f"/admin/imports/{batch_id}").get_data(as_text=True)
    assert "No column gives Full name, Email" in page
    assert "Import 1 row" not in page
    twice = admin.post(
        f"/admin/imports/{batch_id}/columns",
        data={"column_0": "name", "column_1": "name", "column_2": "", "default_role": ""},
    )
    assert twice.status_code == 422 and "Another column gives this field too" in twice.get_data(
        as_text=True
    )
    chosen = admin.post(
        f"/admin/imports/{batch_id}/columns",
        data={"column_0": "name", "column_1": "email", "column_2": "", "default_role": "law_clerk"},
    )
    assert chosen.status_code == 303
    _start(admin, batch_id)
    mia = _candidates(app)["mia@example.com"]
    assert mia.name == "Mia Rossi" and mia.role_sought == RoleSought.LAW_CLERK  # the default


def test_first_and_last_names_make_the_full_name(app, admin):
    data = "Prénom,Nom de famille,Courriel,Poste\nÉlodie,Tremblay,e@example.com,Parajuriste\n"
    _start(admin, _batch_id(_upload(admin, data.encode())))
    assert _candidates(app)["e@example.com"].name == "Élodie Tremblay"


def test_an_unreadable_file_is_refused_on_the_form(admin):
    response = _upload(admin, b"PK\x03\x04workbook", name="agency.xlsx")
    assert response.status_code == 422
    assert "This is an Excel workbook" in response.get_data(as_text=True)


def test_the_import_is_all_or_nothing(app, admin, monkeypatch):
    """A failure while writing (here, the audit lines) leaves no candidate behind."""
    from portal.intake import importing

    def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    data = (
        "name,email,role\nAll Or,all@example.com,paralegal\nNothing,nothing@example.com,paralegal\n"
    )
    batch_id = _batch_id(_upload(admin, data.encode()))
    monkeypatch.setattr(importing, "_flag_duplicates", broken)
    page = _start(admin, batch_id).get_data(as_text=True)
    assert "Nothing was imported" in page
    assert _candidates(app) == {}
    monkeypatch.undo()
    assert "<strong>2</strong> added" in _start(admin, batch_id).get_data(as_text=True)


def test_likely_duplicates_are_imported_and_flagged(app, admin, make):
    make.candidate(name="Nguyen Zoe", email="zoe@old.example.com", phone="416 555 0199")
    data = (
        "name,email,phone,role,city\n"
        "Zoë Nguyễn,zoe@new.example.com,+1 (416) 555-0199,paralegal,Toronto\n"
        "Priya Shah,priya@example.com,,paralegal,Brampton\n"
        "SHAH Priya,priya.s@example.com,,paralegal,brampton\n"
    )
    batch_id = _batch_id(_upload(admin, data.encode()))
    page = admin.get(f"/admin/imports/{batch_id}").get_data(as_text=True)
    assert "may be people already on file" in page
    _start(admin, batch_id)
    with app.app_context():
        pairs = db.session.scalars(select(DuplicatePair)).all()
        assert sorted(p.reasons for p in pairs) == ["name_city,name_email", "phone,name_email"]
        assert {p.found_through for p in pairs} == {"import"}
    assert len(_candidates(app)) == 4  # flagged, not refused


def test_employers_then_jobs(app, admin, make):
    recruiter = make.user(Role.RECRUITER, email="rae@example.com")
    employers = "Cabinet;Type;Ville\nBérubé & Lam LLP;Cabinet;Toronto\nAcme Legal;in-house;Ottawa\n"
    _start(admin, _batch_id(_upload(admin, employers.encode(), kind="employers")))
    jobs = (
        "Title,Employer,Practice area,Location,Recruiter\n"
        "Law clerk,bérubé & lam llp,Litigation,Toronto,rae@example.com\n"
        "Paralegal,Nobody LLP,Litigation,Toronto,\n"
        "Clerk,Acme Legal,Astrology,Ottawa,\n"
    )
    batch_id = _batch_id(_upload(admin, jobs.encode(), kind="jobs"))
    page = admin.get(f"/admin/imports/{batch_id}").get_data(as_text=True)
    assert "no employer \u201cNobody LLP\u201d on file (import employers first)" in page
    assert "practice area \u201cAstrology\u201d is not one of" in page
    _start(admin, batch_id)
    with app.app_context():
        assert sorted(e.name for e in db.session.scalars(select(Employer))) == [
            "Acme Legal",
            "Bérubé & Lam LLP",
        ]
        job = db.session.scalars(select(Job)).one()
        assert (job.title, job.employer.name, job.recruiter_id) == (
            "Law clerk",
            "Bérubé & Lam LLP",
            recruiter.id,
        )
        assert job.search_text  # found by the job picker's search


@pytest.mark.parametrize("role", [Role.RECRUITER, Role.CANDIDATE])
def test_only_admins_import(login_as, role):
    client = login_as(role)
    assert client.get("/admin/imports").status_code == 403
    assert _upload(client, b"name,email\nA,a@example.com\n").status_code == 403


def test_an_import_is_confirmed_once(app, admin):
    data = "name,email,role\nOnce,once@example.com,paralegal\n"
    batch_id = _batch_id(_upload(admin, data.encode()))
    _start(admin, batch_id)
    again = admin.post(f"/admin/imports/{batch_id}/start")
    assert again.status_code == 409
    assert len(_candidates(app)) == 1


def test_unknown_imports_are_not_found(admin):
    for path in (
        "/admin/imports/999",
        "/admin/imports/999/report.csv",
        "/admin/imports/999/progress.json",
    ):
        assert admin.get(path).status_code == 404
