"""Every setting on the command line and in a config file, generated from SETTINGS_DOC."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from oversight_graph.server.cli import _parser, main
from oversight_graph.server.config import settings_from
from oversight_graph.server.flags import flag_of, overrides
from oversight_graph.server.settings import SETTINGS_DOC, SettingsError


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), out, err)
    return status, out.getvalue(), err.getvalue()


def test_serve_help_lists_every_setting_with_its_variable():
    script = Path(sys.executable).with_name("oversight")
    result = subprocess.run([str(script), "serve", "--help"], capture_output=True, text=True, env={"COLUMNS": "400"})
    assert result.returncode == 0, result.stderr
    for name in SETTINGS_DOC:
        assert flag_of(name) in result.stdout, name
        assert f"OVERSIGHT_{name.upper()}" in result.stdout, name
    assert "--config FILE" in result.stdout and "OVERSIGHT_CONFIG" in result.stdout


def serve_args(*argv):
    return overrides(_parser().parse_args(["serve", *argv]))


def test_every_kind_of_flag_parses():
    given = serve_args(
        "--port", "9000",
        "--time-limit", "2.5",
        "--no-graphiql",
        "--batching",
        "--cors-origins", "https://a.example,https://b.example",
        "--cors-origin", "https://c.example",
        "--trusted-documents", "m.json",
    )  # fmt: skip
    assert given == {
        "port": 9000,
        "time_limit": 2.5,
        "graphiql": False,
        "batching": True,
        "cors_origins": ("https://a.example", "https://b.example", "https://c.example"),
        "trusted_documents": Path("m.json"),
    }
    settings = settings_from(given, environ={})
    assert settings.port == 9000 and settings.limits.time_limit == 2.5 and not settings.graphiql


def test_a_bad_flag_value_is_a_usage_error_naming_the_flag(capsys):
    with pytest.raises(SystemExit) as raised:
        _parser().parse_args(["serve", "--max-depth", "deep"])
    assert raised.value.code == 2
    assert "--max-depth='deep' is not a valid int" in capsys.readouterr().err


def write(tmp_path, text):
    path = tmp_path / "oversight.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_config_file_sets_settings_and_the_environment_and_flags_win(tmp_path):
    path = write(
        tmp_path,
        'port = 9001\nmax_page_size = 50\ncors_origins = ["https://a.example"]\n'
        'batching = true\ntrusted_documents = "docs/manifest.json"\n',
    )
    settings = settings_from({}, path, environ={})
    assert settings.port == 9001 and settings.limits.max_page_size == 50
    assert settings.cors_origins == ("https://a.example",) and settings.batching
    assert settings.trusted_documents == tmp_path / "docs" / "manifest.json"
    from_env = settings_from({}, path, environ={"OVERSIGHT_PORT": "9002"})
    assert from_env.port == 9002 and from_env.limits.max_page_size == 50
    from_flag = settings_from({"port": 9003}, path, environ={"OVERSIGHT_PORT": "9002"})
    assert from_flag.port == 9003


def test_the_config_file_may_come_from_the_environment(tmp_path):
    path = write(tmp_path, "workers = 3\n")
    assert settings_from({}, environ={"OVERSIGHT_CONFIG": str(path)}).workers == 3


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("prot = 1\n", "unknown setting 'prot' (did you mean 'port'?)"),
        ('port = "80"\n', "port = '80' is not an integer"),
        ("graphiql = 1\n", "graphiql = 1 is not true or false"),
        ('cors_origins = "https://a.example"\n', "cors_origins = 'https://a.example' is not a list of strings"),
        ("port = 70000\n", "port must be between 1 and 65535"),
        ("port = \n", "not valid TOML"),
    ],
)
def test_a_bad_config_file_names_the_file_and_the_key(tmp_path, text, named):
    path = write(tmp_path, text)
    with pytest.raises(SettingsError) as raised:
        settings_from({}, path, environ={})
    assert named in str(raised.value)
    if "must be between" not in named:
        assert str(path) in str(raised.value)


def test_serve_with_a_bad_config_file_exits_2_naming_it(tmp_path):
    path = write(tmp_path, "max_dept = 3\n")
    status, out, err = run("serve", "--config", str(path))
    assert status == 2 and out == ""
    assert f"config file {path}: unknown setting 'max_dept' (did you mean 'max_depth'?)" in err


def test_serve_with_a_missing_config_file_exits_2(tmp_path):
    status, _out, err = run("serve", "--config", str(tmp_path / "none.toml"))
    assert status == 2 and "none.toml: cannot be read" in err


def test_serve_with_a_bad_trusted_documents_manifest_exits_2(tmp_path):
    manifest = tmp_path / "manifest.json"
    manifest.write_text("[]")
    status, _out, err = run("serve", "--trusted-documents", str(manifest), "--port", "1")
    assert status == 2 and f"trusted documents {manifest}: expected a JSON object" in err
