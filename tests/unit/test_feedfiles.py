"""Feed files: the shipped feeds, and every way a file can be wrong."""

from __future__ import annotations

import shutil
import textwrap
from datetime import date
from pathlib import Path

import pytest

from service.domain import Catalog, Status
from service.errors import FeedFileError
from service.feeds import read_catalog, read_feed_file

SHIPPED = sorted((Path(__file__).parents[2] / "feeds").glob("*.yaml"))
TODAY = date(2026, 11, 27)
ACTOR = "feeds/"

HEAD = """\
feed:
  title: Test feed
commitments:
"""


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def shipped_catalog() -> Catalog:
    return read_catalog(SHIPPED, TODAY)


def members_of(catalog: Catalog) -> dict[str, tuple[str, ...]]:
    return {feed.slug: ids for feed, ids in catalog.feeds}


def copy_shipped(directory: Path) -> list[Path]:
    return [Path(shutil.copy(path, directory / path.name)) for path in SHIPPED]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


# ---------------------------------------------------------------------------- shipped feeds


def test_shipped_feeds_parse() -> None:
    catalog = shipped_catalog()
    members = members_of(catalog)
    assert {slug: len(ids) for slug, ids in members.items()} == {
        "arms-control": 35,
        "elections": 4,
        "sochi-2019": 15,
        "summits": 9,
    }
    assert len(catalog.commitments) == 51
    assert all(i in catalog.commitments for ids in members.values() for i in ids)
    assert {feed.origin for feed, _ in catalog.feeds} == {f"feeds/{p.name}" for p in SHIPPED}


def test_new_start_expiry_moves_then_occurs() -> None:
    versions = shipped_catalog().commitments["new-start-expiry"]
    assert [v.effective for v in versions] == [
        date(2011, 2, 5),
        date(2019, 5, 14),  # the Sochi report joins its sources
        date(2021, 2, 3),  # the extension moves the due
        date(2021, 2, 3),  # and the description follows it
        date(2026, 2, 5),
    ]
    assert [v.fields.due.value for v in versions if v.fields.due] == [
        "2021-02-05",
        "2021-02-05",
        "2026-02-05",
        "2026-02-05",
        "2026-02-05",
    ]
    assert [v.fields.status for v in versions] == [Status.SCHEDULED] * 4 + [Status.OCCURRED]
    assert "2026" not in versions[0].fields.description
    assert versions[2].source is not None
    assert "sputniknews.com" in (versions[2].source.url or "")


def test_next_meeting_was_undated_until_osaka() -> None:
    first, last = shipped_catalog().commitments["trump-putin-next-meeting-2019"]
    assert (first.effective, first.fields.due, first.fields.status) == (
        date(2019, 5, 14),
        None,
        Status.TENTATIVE,
    )
    assert last.effective == date(2019, 6, 28)
    assert last.fields.due is not None and last.fields.due.value == "2019-06-28"
    assert "Osaka" in last.fields.title and "Osaka" not in first.fields.title


def test_includes_resolve_to_commitments_defined_elsewhere() -> None:
    catalog = shipped_catalog()
    members = members_of(catalog)
    sochi = set(members["sochi-2019"])
    assert {"new-start-expiry", "helsinki-summit-2018", "us-election-2020"} <= sochi
    assert "trump-putin-next-meeting-2019" in members["summits"]
    defined = read_feed_file(SHIPPED[0].parent / "sochi-2019.yaml", TODAY).commitments
    assert set(defined) == {
        "new-start-extension-talks-2019",
        "trump-putin-next-meeting-2019",
        "trump-putin-call-2019-05-03",
        "mueller-report-release",
    }


def test_every_sochi_commitment_quotes_the_article() -> None:
    catalog = shipped_catalog()
    sochi = members_of(catalog)["sochi-2019"]
    for commitment_id in sochi:
        fields = catalog.commitments[commitment_id][-1].fields
        quotes = [s.quote for s in fields.sources if "(The New York Times)" in (s.title or "")]
        assert quotes and quotes[0], commitment_id


# ---------------------------------------------------------------------------- the rules


def test_first_version_dates_default_to_due_or_today(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "defaults.yaml",
        HEAD
        + """\
          - {id: past, title: Past, kind: summit, due: "2019-04", status: occurred}
          - {id: future, title: Future, kind: summit, due: "2030"}
          - {id: undated, title: Undated, kind: summit, status: tentative}
        """,
    )
    versions = read_catalog([path], TODAY).commitments
    assert versions["past"][0].effective == date(2019, 4, 1)
    assert versions["future"][0].effective == TODAY
    assert versions["undated"][0].effective == TODAY


def test_superseded_commitment_comes_first(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "plans.yaml",
        HEAD
        + """\
          - {id: held, title: Held, kind: summit, due: "2019-06-28", supersedes: plan}
          - id: plan
            title: Plan
            kind: summit
            due: "2019-06"
            status: superseded
            history:
              - effective: 2019-06-28
                status: {from: tentative, to: superseded}
        """,
    )
    assert list(read_catalog([path], TODAY).commitments) == ["plan", "held"]


def test_supersedes_needs_a_target_stated_as_superseded(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "plans.yaml",
        HEAD
        + """\
          - {id: plan, title: Plan, kind: summit, due: "2019-06", status: tentative}
          - {id: held, title: Held, kind: summit, due: "2019-06-28", supersedes: plan}
        """,
    )
    with pytest.raises(FeedFileError, match=r"plans\.yaml:5: .*'plan' must have status superseded"):
        read_catalog([path], TODAY)


# ---------------------------------------------------------------------------- malformed files

GOOD = """\
  - id: treaty-expiry
    title: Treaty expires
    kind: treaty_expiry
    due: "2026-02-05"
    status: occurred
    parties: [US, RU]
"""
HISTORY = """\
    known_since: 2011-02-05
    history:
      - effective: 2021-02-03
        due: {from: "2021-02-05", to: "2026-02-05"}
      - effective: 2026-02-05
        status: {from: scheduled, to: occurred}
"""

MALFORMED = {
    "yaml syntax": (HEAD + GOOD.replace("title: Treaty expires", "title: [Treaty"), 6, "YAML"),
    "unknown key": (HEAD + GOOD + '    dew: "2021"\n', 10, "unknown key 'dew'"),
    "unreal due": (HEAD + GOOD.replace("2026-02-05", "2021-02-30"), 7, "not a real date"),
    "unreal effective": (
        HEAD + GOOD + HISTORY.replace("effective: 2021-02-03", "effective: 2021-02-30"),
        12,
        "'2021-02-30' is not a real date",
    ),
    "unknown kind": (HEAD + GOOD.replace("treaty_expiry", "expiry"), 6, "kind: Input should be"),
    "empty title": (HEAD + GOOD.replace("Treaty expires", '""'), 5, "title: String should have"),
    "from does not match": (
        HEAD + GOOD + HISTORY + '        due: {from: "2021-02-05", to: "2026-02-05"}\n',
        16,
        "due changes from 2021-02-05, but at this point in the history it is 2026-02-05",
    ),
    "history ends elsewhere": (
        HEAD + GOOD + HISTORY.replace('to: "2026-02-05"', 'to: "2026-02-06"'),
        7,
        "due is 2026-02-05, but the history leaves it at 2026-02-06",
    ),
    "future effective": (
        HEAD + GOOD + HISTORY.replace("effective: 2026-02-05", "effective: 2027-01-01"),
        14,
        "effective 2027-01-01 is after today (2026-11-27)",
    ),
    "history out of order": (
        HEAD + GOOD + HISTORY.replace("effective: 2026-02-05", "effective: 2020-01-01"),
        14,
        "effective 2020-01-01 is before 2021-02-03",
    ),
    "bad party": (
        HEAD + GOOD.replace("parties: [US, RU]", "parties:\n      - US\n      - XX"),
        11,
        "parties[1]: unknown party 'XX'",
    ),
    "bad source": (
        HEAD + GOOD + "    sources:\n      - url: ftp://example.org\n",
        11,
        "sources[0].url: 'ftp://example.org' is not an http(s) URL",
    ),
    "repeated key": (HEAD + GOOD + "    status: occurred\n", 10, "key 'status' appears twice"),
    "undated scheduled": (
        HEAD + GOOD.replace('    due: "2026-02-05"\n', "").replace("occurred", "scheduled"),
        4,
        "a scheduled commitment needs a due date",
    ),
    "no id": (HEAD + GOOD.replace("  - id: treaty-expiry\n    ", "  - "), 4, "needs 'id'"),
    "id repeated in a file": (HEAD + GOOD + GOOD, 10, "'treaty-expiry' is already used at line 4"),
    "no feed": (GOOD.replace("  - ", "- ").replace("\n    ", "\n  "), 1, "must be a mapping"),
    "known_since in the future": (HEAD + GOOD + "    known_since: 2027-01-01\n", 10, "after today"),
    "step changes nothing": (
        HEAD + GOOD + HISTORY.replace('"2021-02-05", to', '"2026-02-05", to'),
        12,
        "changes nothing",
    ),
}


@pytest.mark.parametrize(("text", "line", "reason"), MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_file_names_its_line(tmp_path: Path, text: str, line: int, reason: str) -> None:
    path = write(tmp_path, "broken.yaml", text)
    with pytest.raises(FeedFileError) as caught:
        read_catalog([path], TODAY)
    assert f"broken.yaml:{line}: " in str(caught.value)
    assert reason in caught.value.reason
    assert "pydantic" not in str(caught.value)


def test_history_fixture_itself_is_valid(tmp_path: Path) -> None:
    path = write(tmp_path, "good.yaml", HEAD + GOOD + HISTORY)
    assert len(read_catalog([path], TODAY).commitments["treaty-expiry"]) == 3


def test_id_defined_in_two_files(tmp_path: Path) -> None:
    first = write(tmp_path, "first.yaml", HEAD + GOOD)
    other = "  - {id: other, title: Other, kind: other, due: 2020}\n"
    second = write(tmp_path, "second.yaml", HEAD + other + GOOD)
    with pytest.raises(FeedFileError) as caught:
        read_catalog([first, second], TODAY)
    assert str(caught.value).startswith(f"{second}:5: ")
    assert f"already defined in {first}:4" in str(caught.value)


def test_unresolved_include(tmp_path: Path) -> None:
    path = write(tmp_path, "lists.yaml", HEAD + GOOD + "includes:\n  - treaty-expiry-2\n")
    with pytest.raises(FeedFileError, match=r"lists\.yaml:11: includes 'treaty-expiry-2', which"):
        read_catalog([path], TODAY)


def test_file_name_must_be_a_slug(tmp_path: Path) -> None:
    path = write(tmp_path, "Arms Control.yaml", HEAD + GOOD)
    with pytest.raises(FeedFileError, match=r"Arms Control\.yaml: the file name"):
        read_catalog([path], TODAY)


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(FeedFileError, match=r"missing\.yaml: cannot be read"):
        read_catalog([tmp_path / "missing.yaml"], TODAY)
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("feed: {title: Málaga}\n".encode("latin-1"))
    with pytest.raises(FeedFileError, match=r"latin\.yaml: is not UTF-8 text"):
        read_catalog([latin], TODAY)


def test_timed_due_and_block_changes(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "timed.yaml",
        HEAD
        + """\
          - id: talks
            title: Talks
            kind: meeting
            due: {value: "2026-02-05T10:00:00", tz: Europe/Moscow}
            history:
              - effective: 2026-03-01
                title:
                  from: Talks
                  to: ""
        """,
    )
    with pytest.raises(FeedFileError, match=r"timed\.yaml:12: title: String should have"):
        read_catalog([path], TODAY)


def test_supersedes_in_a_circle(tmp_path: Path) -> None:
    loop = """\
      - {id: a, title: A, kind: summit, due: 2019, status: superseded, supersedes: b}
      - {id: b, title: B, kind: summit, due: 2019, status: superseded, supersedes: a}
    """
    path = write(tmp_path, "loop.yaml", HEAD + textwrap.dedent(loop))
    with pytest.raises(FeedFileError, match=r"loop\.yaml:4: supersedes goes round .*a -> b -> a"):
        read_catalog([path], TODAY)


def test_one_bad_file_refuses_the_catalog(tmp_path: Path) -> None:
    paths = [*copy_shipped(tmp_path), write(tmp_path, "broken.yaml", HEAD + "  - nonsense\n")]
    with pytest.raises(FeedFileError, match=r"broken\.yaml:4: a commitment must be a mapping"):
        read_catalog(paths, TODAY)
