"""The pytest plugin as a user's project sees it: installed, loaded by its entry point (no conftest,
no `-p`), `cfai_server` and `cfai_contract` used from the user's own tests (pytester)."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

USER_TESTS = '''
import httpx, openai, pytest
from cfai import Client

def test_my_app_with_cfai_client(cfai_server, monkeypatch):
    monkeypatch.setenv("CLOUDFLARE_BASE_URL", cfai_server)
    monkeypatch.setenv("CLOUDFLARE_ACCOUNT_ID", "my-account")
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", "my-token")
    with Client() as cf:
        reply = cf.chat_completions(model="openai/gpt-5.1-chat", messages=[{"role": "user", "content": "hi"}])
    assert reply.data.choices

def test_my_app_with_the_openai_sdk(cfai_server, cfai_contract):
    client = openai.OpenAI(api_key="my-token", base_url=f"{cfai_server}/accounts/my-account/ai/v1")
    completion = client.chat.completions.create(model="openai/gpt-5.5", messages=[{"role": "user", "content": "hi"}])
    cfai_contract.answer("openai/gpt-5.5", completion.model_dump(mode="json", exclude_unset=True))

def test_my_resilience(cfai_server):
    answer = httpx.post(f"{cfai_server}/accounts/a/ai/run/openai/gpt-5.5", json={"input": "hi"},
                        headers={"Authorization": "Bearer t", "cfai-fault": "429;retry-after=1"})
    assert answer.status_code == 429 and answer.headers["retry-after"] == "1"

def test_a_valid_payload(cfai_contract):
    cfai_contract("openai/gpt-5.5", {"messages": [{"role": "user", "content": "hi"}], "temperature": 1})

def test_an_invalid_payload_fails_with_located_errors(cfai_contract):
    cfai_contract("openai/gpt-5.5", {"messages": [{"role": "user", "content": "hi"}], "temperature": 2.5, "top_p": 3})
'''


def test_plugin_fixtures_in_a_users_project(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_user=USER_TESTS)
    result = pytester.runpytest_inprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=4, failed=1)
    output = result.stdout.str()
    for line in (
        "2 contract error(s) against openai/gpt-5.5 input (openai/gpt-5.5/schema-input.json, variant ChatCompletionsInput):",
        "$.temperature: 2.5 is greater than the maximum of 2 [rule maximum, limit 2]",
        "$.top_p: 3 is greater than the maximum of 1 [rule maximum, limit 1]",
    ):
        assert line in output, output
    assert "pytest_plugin.py" not in output, "the plugin's own frame is hidden from the user's traceback"


def test_plugin_options_seed_and_fault(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_user='''
import httpx

def test_every_request_faulted(cfai_server):
    answer = httpx.post(f"{cfai_server}/accounts/a/ai/v1/chat/completions", headers={"Authorization": "Bearer t"},
                        json={"model": "openai/gpt-5.5", "messages": [{"role": "user", "content": "hi"}]})
    assert answer.status_code == 503
'''
    )
    result = pytester.runpytest_inprocess("-q", "-p", "no:cacheprovider", "--cfai-fault", "503", "--cfai-seed", "3")
    result.assert_outcomes(passed=1)
    help_text = pytester.runpytest_inprocess("--help")
    help_text.stdout.fnmatch_lines(["*--cfai-schemas*", "*--cfai-fault*"])
