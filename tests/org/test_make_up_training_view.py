"""补训 entered on the training form counts for the year it makes up, and shows as such."""

from datetime import date

from zhifa.org.models import Training


def _post(client, person, **extra):
    data = {"kind": "refresher", "title": "2025 年度补训", "organiser": "市文旅局", "start_on": "2026-01-12",
            "end_on": "2026-01-16", "hours": "40", "days": "", "exam_result": "passed", "exam_score": ""}
    data.update(extra)
    return client.post(f"/org/people/{person.pk}/trainings/new/", data)


def test_make_up_training_through_the_form(client, agency, make_user, verified_login):
    clerk = make_user(agency, roles=("clerk",))
    officer = make_user(agency, roles=("officer",))
    verified_login(client, clerk)
    r = _post(client, officer, for_year="2024")
    assert r.status_code == 200
    assert "计入年度只能是结束日期所在年度（2026）或其上一年度（补训）" in r.content.decode()
    assert not Training.objects.exists()
    r = _post(client, officer, for_year="2025")
    assert r.status_code == 302
    t = Training.objects.get()
    assert t.for_year == 2025 and t.facts().year == 2025 and t.end_on == date(2026, 1, 16)
    page = client.get(f"/org/people/{officer.pk}/").content.decode()
    assert "补训，计入 2025 年度" in page
