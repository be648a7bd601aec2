"""Secrets in the formats vendors give their keys, secrets given to a name in code or on a
command line, and the placeholders tutorials write instead, as tables of (text, span a
salesperson would see highlighted). Every token here was made up for this file."""

from __future__ import annotations

import time

import pytest

from companion.detection.recognizers.secret import SecretRecognizer
from companion.detection.recognizers.secret_formats import is_placeholder

FOUND = [
    # vendor formats detect-secrets 1.5 does not know
    ("huggingface-cli login --token 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",
     "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"),
    ("docker login -u ops -p dckr_pat_Q2w9E8r7T6y5U4i3O2p1A0s9D8f",
     "dckr_pat_Q2w9E8r7T6y5U4i3O2p1A0s9D8f"),
    ("TAVILY=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", "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"),
    ("$6$Wq8rT2pL$Zb3nV9cX1mK7jH5gF4dS2aQ0wE8rT6yU4iO2pL0kJ9hG7fD5sA3zX1cV9bN7mM5/",
     "$6$Wq8rT2pL$Zb3nV9cX1mK7jH5gF4dS2aQ0wE8rT6yU4iO2pL0kJ9hG7fD5sA3zX1cV9bN7mM5/"),
    ("client secret 7Yb8Q~Lm3Np5Rs7Tu9Vw1Xy3Za5Bc7De9Fg1Hj", "7Yb8Q~Lm3Np5Rs7Tu9Vw1Xy3Za5Bc7De9Fg1Hj"),
    ("https://hooks.slack.com/services/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",
     "hooks.slack.com/services/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"),
    # a secret's name written as code takes any value, however plain
    ("REACT_APP_DB_PASSWORD=bluefinch", "bluefinch"),
    ('"AdminPassword" : "seagullmorning"', "seagullmorning"),
    ('my_secret := "kettle$drum"', "kettle$drum"),
    ("SONAR_LOGIN = 9c1d7e5f3a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d", "9c1d7e5f3a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d"),
    # said to be the password, or passed as one
    ("The default password is 'marmalade'", "marmalade"),
    ("Connect-VIServer vc01 -User admin -Password Lantern7!", "Lantern7!"),
    ("psexec \\\\host01 -u Administrator -p ops_admin cmd", "ops_admin"),
    ("curl --user kevin:'pT4vQ9wL2mR8' https://api.example.com", "pT4vQ9wL2mR8"),
    ('curl -H "Authorization: Api-Token 7c1e9d0a4b2f8e6d3c5a" https://api.example.com',
     "7c1e9d0a4b2f8e6d3c5a"),
]


@pytest.fixture(scope="module")
def recognizer():
    found = SecretRecognizer()
    found.load()
    return found


@pytest.mark.parametrize("text,span", FOUND)
def test_found(recognizer, text, span):
    spans = [text[r.start:r.end] for r in recognizer.analyze(text, ["SECRET"])]
    assert span in spans


NOT_FOUND = [
    # placeholders: filler, variables, templates
    "export HF_TOKEN=hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    'curl -u "$API_USER:$API_PASSWORD" https://api.example.com',
    "password = ${DB_PASSWORD}",
    "Connect-VIServer vc01 -User $user -Password $password",
    "const password = process.env.DB_PASSWORD",
    "db_password: <your password here>",
    # code that names a secret without giving one
    "password_required = true",
    "PASSWORD=PASSWORD_FROM_VAULT",
    "hashed_password = users.get(username)",
    # prose: the name is not written as code
    "Password: forgotten again, so I reset it",
    "Secret: our new product launch is Monday",
    "We bypass: the old gate at the north entrance",
    # look-alikes of a format: wrong length or alphabet
    "hf_short",
    "Meet me at the live_event_2024 stand",
]


@pytest.mark.parametrize("text", NOT_FOUND)
def test_not_found(recognizer, text):
    assert recognizer.analyze(text, ["SECRET"]) == []


@pytest.mark.parametrize("value,placeholder", [
    ("xxxxxxxxxxxx", True), ("ghp_XXXXXXXXXXXXXXXXXXXX", True), ("sk-...", True), ("${{ secrets.TOKEN }}", True),
    ("$PASSWORD", True), ("%DB_PASS%", True), ("[PASSWORD]", True), ("<token>", True),
    ("Pa(ss)2024!", False), ("kettle$drum", False), ("lumen8888", False), ("9c1d7e5f3a2b4c6d", False),
])
def test_placeholder(value, placeholder):
    assert is_placeholder(value) is placeholder


@pytest.mark.parametrize("text", ["password=" * 20_000, "sk-" + "a" * 200_000, "-u x -p " * 20_000,
                                  "Authorization: " * 10_000, "hf_" * 50_000, "$6$" * 50_000,
                                  "x_token := '" * 10_000])
def test_stays_linear_on_hostile_posts(recognizer, text):
    """The recognizer reads at most MAX_PIECES pieces of a post with RE2 patterns: a hostile
    post costs milliseconds of this thread's CPU, where backtracking would take seconds."""
    started = time.thread_time()
    recognizer.analyze(text, ["SECRET"])
    assert time.thread_time() - started < 0.5
