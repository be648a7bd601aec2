"""The reaction guard's policy in the org directory (`reaction_policy.yaml`).

What IT relies on: the cells they write reach every laptop with each reaction check, a cell left
out keeps the level below, and a typo is refused before it can silently let a competitor's post
be liked, naming the file, the line and the key.
"""

from __future__ import annotations

import shutil

import pytest

from companion.app import create_app
from companion.config import Settings
from companion.errors import ConfigError
from companion.org import load_org
from companion.reaction_policy import load_reaction_policy

GOOD = """\
# IT: a competitor's post may not be reposted or shared; a client's like is held
share: {competitor: block}
react:
  client: warn
"""


def write(tmp_path, text: str):
    path = tmp_path / "reaction_policy.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_cells_it_sets_are_read_and_the_rest_left_out(tmp_path):
    assert load_reaction_policy(write(tmp_path, GOOD)) == {"share": {"competitor": "block"},
                                                           "react": {"client": "warn"}}


def test_no_file_or_an_empty_one_sets_nothing(tmp_path):
    assert load_reaction_policy(tmp_path / "reaction_policy.yaml") is None
    assert load_reaction_policy(write(tmp_path, "# nothing yet\n")) is None


@pytest.mark.parametrize("text, where, says", [
    ("react:\n  competitor: warn\n  client: alert\n", ":3 react.client", "one of monitor, warn, block"),
    ("react: {competitor: warn}\nlike: {client: warn}\n", ":2 like", "unknown action group"),
    ("share:\n  rival: block\n", ":2 share.rival", "unknown reason"),
    ("comment: warn\n", ":1 comment", "a group maps reasons"),
    ("react: {client: warn}\nreact: {client: block}\n", ":2 react", "set twice"),
    ("- react\n", ":1 file", "maps action groups"),
    ("react: {client: [warn]}\n", ":1 react.client", "one of monitor, warn, block"),
])
def test_a_bad_value_names_file_line_and_key(tmp_path, text, where, says):
    with pytest.raises(ConfigError) as caught:
        load_reaction_policy(write(tmp_path, text))
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / 'reaction_policy.yaml'}{where}:"), message
    assert says in message


def test_broken_yaml_names_the_line(tmp_path):
    with pytest.raises(ConfigError, match=r"reaction_policy.yaml:2: not valid YAML"):
        load_reaction_policy(write(tmp_path, "react: {client: warn}\nshare: {competitor: block\n"))


def test_the_org_directory_loader_refuses_a_broken_file(tmp_path, example_org):
    org = tmp_path / "org"
    shutil.copytree(example_org, org)
    write(org, "react: {client: maybe}\n")
    with pytest.raises(ConfigError, match="reaction_policy.yaml:1 react.client"):
        load_org(org)


def test_each_reaction_check_carries_the_org_policy(tmp_path, example_org):
    org = tmp_path / "org"
    shutil.copytree(example_org, org)
    write(org, GOOD)
    app = create_app(Settings(data_dir=tmp_path / "data", org_dir=org))
    try:
        body = app.test_client().post("/v1/reaction-check", json={"site": "facebook", "author_name": "Kenji Mori",
                                                                  "text": "Thanks!"}).get_json()
    finally:
        app.extensions["postguard"].audit.close()
    assert body["policy"] == {"share": {"competitor": "block"}, "react": {"client": "warn"}}
    assert body["reasons"] == []
