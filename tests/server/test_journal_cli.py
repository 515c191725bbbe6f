"""The journal's commands: tokens, import, export and its round trip, snapshots, and the README's walkthrough."""

from __future__ import annotations

import io
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from oversight_graph.graph.load import load_directory
from oversight_graph.server.cli import main

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seed"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), out, err)
    return status, out.getvalue(), err.getvalue()


def _graph(store) -> tuple[dict, dict]:
    return {e.key: e for e in store.entities()}, {r.key: r for r in store.relations()}


def test_token_commands(tmp_path: Path) -> None:
    db = str(tmp_path / "g.db")
    status, out, _err = run("token", "create", "--db", db, "--name", "ana", "--role", "editor")
    token = out.strip().splitlines()[-1]
    assert status == 0 and token.startswith("og_")
    status, out, _err = run("token", "list", "--db", db)
    assert status == 0 and out.startswith("ana\teditor\tcreated") and "active" in out and token not in out
    assert run("token", "create", "--db", db, "--name", "ana", "--role", "admin")[0] == 1
    assert run("token", "revoke", "ana", "--db", db)[0] == 0
    status, _out, err = run("token", "revoke", "ana", "--db", db)
    assert status == 1 and "no active token named 'ana'" in err
    assert "revoked" in run("token", "list", "--db", db)[1]


def _new_source(folder: Path, paragraph: int = 2) -> Path:
    folder.mkdir()
    (folder / "source.toml").write_text(
        f"""
[[document]]
key = "doc/second-report"
name = "Second report"
description = "A second source."
title = "A second report"
paragraphs = 4

[[organization]]
key = "org/example-lab"
name = "Example Lab"
description = "A lab the second report names."
category = "COMPANY"
[[organization.citation]]
document = "doc/second-report"
paragraph = 1
claim = "The report names the lab."
confidence = "ON_THE_RECORD"
attribution = {{ kind = "REPORTING" }}

[[relation]]
subject = "org/example-lab"
type = "RIVALS"
object = "org/meta"
[[relation.citation]]
document = "doc/second-report"
paragraph = {paragraph}
claim = "The lab competes with Meta."
confidence = "ON_THE_RECORD"
attribution = {{ kind = "REPORTING" }}
""",
        encoding="utf-8",
    )
    return folder


def test_import_applies_a_directory_as_one_change_set(tmp_path: Path) -> None:
    db = str(tmp_path / "g.db")
    status, out, err = run("import", str(_new_source(tmp_path / "new")), "--db", db, "--reason", "second source")
    assert status == 0, err
    assert "imported as version 2: 3 added, 0 changed" in out
    status, out, _err = run("export", "--db", db, "--format", "toml", str(tmp_path / "out"))
    assert status == 0
    exported = load_directory(tmp_path / "out")
    assert exported.entity("org/example-lab").name == "Example Lab"
    assert exported.relation("org/example-lab|RIVALS|org/meta").citations[0].paragraph == 2


def test_a_bad_import_lists_every_problem_and_applies_nothing(tmp_path: Path) -> None:
    db = str(tmp_path / "g.db")
    source = _new_source(tmp_path / "bad", paragraph=99)
    with (source / "source.toml").open("a", encoding="utf-8") as more:
        more.write('\n[[organization]]\nkey = "person/odd"\nname = "Odd"\ndescription = "x"\ncategory = "COMPANY"\n')
    status, out, err = run("import", str(source), "--db", db, "--reason", "bad")
    assert status == 1 and out == ""
    assert "2 problems; nothing imported" in err
    assert "source.toml: relation #1 (org/example-lab RIVALS org/meta): citation[0].paragraph:" in err
    assert "there is no paragraph 99" in err
    assert "source.toml: organization #2 'person/odd': key:" in err
    status, out, _err = run("export", "--db", db, "--format", "toml", str(tmp_path / "out"))
    assert "org/example-lab" not in "".join(p.read_text() for p in (tmp_path / "out").rglob("*.toml"))


def test_export_re_imports_to_the_same_graph(tmp_path: Path) -> None:
    db = str(tmp_path / "g.db")
    run("import", str(_new_source(tmp_path / "new")), "--db", db, "--reason", "second source")
    assert run("export", "--db", db, "--format", "toml", str(tmp_path / "out"))[0] == 0
    status, out, _err = run("check", str(tmp_path / "out"))
    assert status == 0 and "valid:" in out
    # A new journal begun from the export holds the same graph as the first.
    status, _out, err = run(
        "export",
        "--db",
        str(tmp_path / "again.db"),
        "--data",
        str(tmp_path / "out"),
        "--format",
        "toml",
        str(tmp_path / "out2"),
    )
    assert status == 0, err
    first, second = load_directory(tmp_path / "out"), load_directory(tmp_path / "out2")
    assert _graph(first) == _graph(second)
    seed_entities, seed_relations = _graph(load_directory(SEED))
    entities, relations = _graph(first)
    assert set(entities) == set(seed_entities) | {"doc/second-report", "org/example-lab"}
    assert all(entities[k] == v for k, v in seed_entities.items())
    assert all(relations[k] == v for k, v in seed_relations.items())


def test_snapshot_command(tmp_path: Path) -> None:
    db = tmp_path / "g.db"
    status, out, _err = run("snapshot", "--db", str(db))
    assert status == 0 and "snapshot of version 1 written to" in out
    assert list((tmp_path / "g.db.snapshots").glob("*.snapshot"))


def test_a_journal_is_not_served_for_another_chosen_directory(tmp_path: Path) -> None:
    db = str(tmp_path / "g.db")
    assert run("snapshot", "--db", db)[0] == 0  # begun from the bundled seed
    other = tmp_path / "other"
    shutil.copytree(SEED, other)
    status, _out, err = run("serve", "--db", db, "--data", str(other), "--port", "1")
    assert status == 1
    assert "holds the graph begun from" in err and "give another --db" in err


def test_a_damaged_journal_stops_serve_with_its_name(tmp_path: Path) -> None:
    db = tmp_path / "g.db"
    db.write_bytes(b"not a database at all" * 500)
    status, _out, err = run("serve", "--db", str(db), "--port", "1")
    assert status == 1 and str(db) in err and "left as it is" in err
    assert db.read_bytes() == b"not a database at all" * 500


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_readme_walkthrough_corrects_a_fact(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Correct a fact") :]
    script = re.findall(r"```sh\n(.*?)```", section, flags=re.DOTALL)[0]
    port = _free_port()
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "OVERSIGHT_DB": str(tmp_path / "g.db"), "OVERSIGHT_PORT": str(port)}
    server = subprocess.Popen(
        [str(bin_dir / "oversight"), "serve", "--log-level", "warning"],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).close()
                break
            except OSError:
                time.sleep(0.25)
        script = script.replace(".venv/bin/oversight", shlex.quote(str(bin_dir / "oversight")))
        script = script.replace("127.0.0.1:8000", f"127.0.0.1:{port}")
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script], env=env, capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 0, result.stderr
        decoder, text, answers = json.JSONDecoder(), result.stdout.strip(), []
        while text:  # the two answers, as curl prints them one after the other
            answer, end = decoder.raw_decode(text)
            answers.append(answer)
            text = text[end:].lstrip()
        mutation, history = answers
        assert mutation["data"]["updateEntity"]["version"] == 2
        edges = history["data"]["history"]["edges"]
        assert [e["node"]["version"] for e in edges] == [1, 2]
        change = edges[1]["node"]
        assert change["actor"] == {"name": "ana", "role": "EDITOR"} and change["reason"] == "plainer description"
        assert change["changes"][0]["action"] == "CHANGED"
        assert change["changes"][0]["after"]["description"] != change["changes"][0]["before"]["description"]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


@pytest.mark.parametrize("command", ["import", "export", "snapshot"])
def test_commands_on_a_damaged_journal_say_so(tmp_path: Path, command: str) -> None:
    db = tmp_path / "g.db"
    db.write_bytes(b"x" * 5000)
    args = {"import": [str(SEED), "--reason", "r"], "export": ["--format", "toml", str(tmp_path / "o")], "snapshot": []}
    status, _out, err = run(command, *args[command], "--db", str(db))
    assert status == 1 and "left as it is" in err
