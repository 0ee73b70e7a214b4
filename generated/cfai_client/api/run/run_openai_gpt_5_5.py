from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...models.api_error_envelope import ApiErrorEnvelope
from ...models.openai_gpt_55_chat_completions_input import (
    OpenaiGpt55ChatCompletionsInput,
)
from ...models.openai_gpt_55_responses_input import OpenaiGpt55ResponsesInput
from ...models.openai_gpt_55_run_response import OpenaiGpt55RunResponse
from ...types import Response


def _get_kwargs(
    account_id: str,
    *,
    body: OpenaiGpt55ChatCompletionsInput | OpenaiGpt55ResponsesInput,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/accounts/{account_id}/ai/run/openai/gpt-5.5".format(
            account_id=quote(str(account_id), safe=""),
        ),
    }

    if isinstance(body, OpenaiGpt55ResponsesInput):
        _kwargs["json"] = body.to_dict()
    else:
        _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ApiErrorEnvelope | OpenaiGpt55RunResponse:
    if response.status_code == 200:
        response_200 = OpenaiGpt55RunResponse.from_dict(response.json())

        return response_200

    response_default = ApiErrorEnvelope.from_dict(response.json())

    return response_default


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ApiErrorEnvelope | OpenaiGpt55RunResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    account_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: OpenaiGpt55ChatCompletionsInput | OpenaiGpt55ResponsesInput,
) -> Response[ApiErrorEnvelope | OpenaiGpt55RunResponse]:
    """Run openai/gpt-5.5

    Args:
        account_id (str):
        body (OpenaiGpt55ChatCompletionsInput | OpenaiGpt55ResponsesInput): openai/gpt-5.5 input,
            built from the parameter listing of
            https://developers.cloudflare.com/ai/models/openai/gpt-5.5/ (the published schema-
            input.json was not reachable when vendored); `cfai pull` replaces it with the published
            file.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ApiErrorEnvelope | OpenaiGpt55RunResponse]
    """

    kwargs = _get_kwargs(
        account_id=account_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    account_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: OpenaiGpt55ChatCompletionsInput | OpenaiGpt55ResponsesInput,
) -> ApiErrorEnvelope | OpenaiGpt55RunResponse | None:
    """Run openai/gpt-5.5

    Args:
        account_id (str):
        body (OpenaiGpt55ChatCompletionsInput | OpenaiGpt55ResponsesInput): openai/gpt-5.5 input,
            built from the parameter listing of
            https://developers.cloudflare.com/ai/models/openai/gpt-5.5/ (the published schema-
            input.json was not reachable when vendored); `cfai pull` replaces it with the published
            file.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ApiErrorEnvelope | OpenaiGpt55RunResponse
    """

    return sync_detailed(
        account_id=account_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    account_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: OpenaiGpt55ChatCompletionsInput | OpenaiGpt55ResponsesInput,
) -> Response[ApiErrorEnvelope | OpenaiGpt55RunResponse]:
    """Run openai/gpt-5.5

    Args:
        account_id (str):
        body (OpenaiGpt55ChatCompletionsInput | OpenaiGpt55ResponsesInput): openai/gpt-5.5 input,
            built from the parameter listing of
            https://developers.cloudflare.com/ai/models/openai/gpt-5.5/ (the published schema-
            input.json was not reachable when vendored); `cfai pull` replaces it with the published
            file.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ApiErrorEnvelope | OpenaiGpt55RunResponse]
    """

    kwargs = _get_kwargs(
        account_id=account_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    account_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: OpenaiGpt55ChatCompletionsInput | OpenaiGpt55ResponsesInput,
) -> ApiErrorEnvelope | OpenaiGpt55RunResponse | None:
    """Run openai/gpt-5.5

    Args:
        account_id (str):
        body (OpenaiGpt55ChatCompletionsInput | OpenaiGpt55ResponsesInput): openai/gpt-5.5 input,
            built from the parameter listing of
            https://developers.cloudflare.com/ai/models/openai/gpt-5.5/ (the published schema-
            input.json was not reachable when vendored); `cfai pull` replaces it with the published
            file.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ApiErrorEnvelope | OpenaiGpt55RunResponse
    """

    return (
        await asyncio_detailed(
            account_id=account_id,
            client=client,
            body=body,
        )
    ).parsed
