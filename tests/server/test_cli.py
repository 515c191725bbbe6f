from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

from oversight_graph.server.cli import main

SEED = Path(__file__).resolve().parents[2] / "seed"


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), out, err)
    return status, out.getvalue(), err.getvalue()


def test_check_valid_seed_prints_counts():
    status, out, err = run("check", str(SEED))
    assert status == 0 and err == ""
    assert "valid: 50 entities, 79 relations" in out
    assert "  ORGANIZATION                  19" in out
    assert "  PARTY_TO                       6" in out
    # The longest relation type name still leaves a space before its count.
    assert "  NO_LONGER_SEES_AS_CONCERN      1" in out


def test_check_broken_directory_lists_every_problem_and_fails(tmp_path):
    shutil.copytree(SEED, tmp_path / "seed")
    with open(tmp_path / "seed" / "people.toml", "a", encoding="utf-8") as f:
        f.write('\n[[person]]\nkey = "person/ben-kass"\nname = "Again"\ndescription = "x"\n')
    status, out, err = run("check", str(tmp_path / "seed"))
    assert status == 1 and out == ""
    assert "2 problems; nothing loaded" in err
    assert "people.toml: person #5 'person/ben-kass': key: duplicate key 'person/ben-kass'" in err
    assert "people.toml: person #5 'person/ben-kass': citation: at least one citation is required" in err


def test_check_missing_directory(tmp_path):
    status, _out, err = run("check", str(tmp_path / "nope"))
    assert status == 1 and "is not a directory" in err


def test_console_script_runs_check():
    script = Path(sys.executable).with_name("oversight")
    result = subprocess.run([str(script), "check", str(SEED)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "valid:" in result.stdout


def test_serve_refuses_broken_data_listing_every_problem(tmp_path):
    shutil.copytree(SEED, tmp_path / "seed")
    with open(tmp_path / "seed" / "people.toml", "a", encoding="utf-8") as f:
        f.write('\n[[person]]\nkey = "person/ben-kass"\nname = "Again"\ndescription = "x"\n')
    status, out, err = run("serve", "--data", str(tmp_path / "seed"), "--port", "1")
    assert status == 1 and out == ""
    assert "2 problems; not serving" in err
    assert "people.toml: person #5 'person/ben-kass': key: duplicate key 'person/ben-kass'" in err


def test_serve_refuses_a_missing_directory(tmp_path):
    status, _out, err = run("serve", "--data", str(tmp_path / "nope"), "--port", "1")
    assert status == 1 and "is not a directory" in err


def test_export_writes_a_file_or_a_directory(tmp_path):
    status, out, err = run("export", "--format", "turtle", str(tmp_path / "graph.ttl"))
    assert status == 0 and err == ""
    size = (tmp_path / "graph.ttl").stat().st_size
    assert out == f"{tmp_path / 'graph.ttl'}: {size} bytes\n" and size > 10_000
    status, out, err = run("export", "--format", "csv", "--data", str(SEED), str(tmp_path / "tables"))
    assert status == 0 and sorted(p.name for p in (tmp_path / "tables").iterdir()) == [
        "citations.csv",
        "entities.csv",
        "relations.csv",
    ]


def test_export_refuses_a_directory_for_a_file_format_and_broken_data(tmp_path):
    status, _out, err = run("export", "--format", "graphml", str(tmp_path))
    assert status == 2 and f"{tmp_path} is a directory; graphml is written to a file" in err
    shutil.copytree(SEED, tmp_path / "seed")
    with open(tmp_path / "seed" / "people.toml", "a", encoding="utf-8") as f:
        f.write('\n[[person]]\nkey = "person/ben-kass"\nname = "Again"\ndescription = "x"\n')
    fresh = str(tmp_path / "fresh.db")  # a new journal begins from the broken directory, and cannot
    status, out, err = run(
        "export", "--format", "toml", "--db", fresh, "--data", str(tmp_path / "seed"), str(tmp_path / "out")
    )
    assert status == 1 and out == "" and "2 problems; nothing exported" in err
    assert not (tmp_path / "out").exists()


def test_export_to_standard_output():
    script = Path(sys.executable).with_name("oversight")
    result = subprocess.run([str(script), "export", "--format", "ntriples", "-"], capture_output=True, check=True)
    assert result.stdout.count(b" .\n") == len(result.stdout.splitlines()) > 1000


def test_check_reads_a_symlinked_subdirectory_and_refuses_a_dangling_link(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(SEED, data, ignore=shutil.ignore_patterns("relations"))
    os.symlink(SEED / "relations", data / "relations")
    status, out, err = run("check", str(data))
    assert status == 0 and err == ""
    assert "valid: 50 entities, 79 relations" in out
    os.symlink(tmp_path / "gone", data / "more")
    status, out, err = run("check", str(data))
    assert status == 1 and out == ""
    assert err.splitlines() == [
        f"{data}: 1 problem; nothing loaded",
        f"  more: symbolic link: is a symbolic link to {str(tmp_path / 'gone')!r}, which does not exist",
    ]


def test_check_reports_one_toml_typo_as_one_problem(tmp_path):
    shutil.copytree(SEED, tmp_path / "seed")
    orgs = tmp_path / "seed" / "organizations.toml"
    orgs.write_text(orgs.read_text(encoding="utf-8").replace('category = "COMPANY"', 'category = "COMPANY', 1))
    status, out, err = run("check", str(tmp_path / "seed"))
    assert status == 1 and out == ""
    first, problem = err.splitlines()
    assert first.endswith("seed: 1 problem; nothing loaded")
    assert problem.startswith("  organizations.toml: file: not valid TOML:")
    assert "this hides 73 follow-on problems (references to keys defined here), not listed: fix it first" in problem
