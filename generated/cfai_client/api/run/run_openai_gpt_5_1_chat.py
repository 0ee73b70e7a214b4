from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...models.api_error_envelope import ApiErrorEnvelope
from ...models.openai_gpt_51_chat_input import OpenaiGpt51ChatInput
from ...models.openai_gpt_51_chat_run_response import OpenaiGpt51ChatRunResponse
from ...types import Response


def _get_kwargs(
    account_id: str,
    *,
    body: OpenaiGpt51ChatInput,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/accounts/{account_id}/ai/run/openai/gpt-5.1-chat".format(
            account_id=quote(str(account_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ApiErrorEnvelope | OpenaiGpt51ChatRunResponse:
    if response.status_code == 200:
        response_200 = OpenaiGpt51ChatRunResponse.from_dict(response.json())

        return response_200

    response_default = ApiErrorEnvelope.from_dict(response.json())

    return response_default


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ApiErrorEnvelope | OpenaiGpt51ChatRunResponse]:
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
    body: OpenaiGpt51ChatInput,
) -> Response[ApiErrorEnvelope | OpenaiGpt51ChatRunResponse]:
    """Run openai/gpt-5.1-chat

    Args:
        account_id (str):
        body (OpenaiGpt51ChatInput): openai/gpt-5.1-chat input, built from the parameter listing
            of https://developers.cloudflare.com/ai/models/openai/gpt-5.1-chat/ (the published schema-
            input.json was not reachable when vendored); `cfai pull` replaces it with the published
            file.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ApiErrorEnvelope | OpenaiGpt51ChatRunResponse]
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
    body: OpenaiGpt51ChatInput,
) -> ApiErrorEnvelope | OpenaiGpt51ChatRunResponse | None:
    """Run openai/gpt-5.1-chat

    Args:
        account_id (str):
        body (OpenaiGpt51ChatInput): openai/gpt-5.1-chat input, built from the parameter listing
            of https://developers.cloudflare.com/ai/models/openai/gpt-5.1-chat/ (the published schema-
            input.json was not reachable when vendored); `cfai pull` replaces it with the published
            file.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ApiErrorEnvelope | OpenaiGpt51ChatRunResponse
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
    body: OpenaiGpt51ChatInput,
) -> Response[ApiErrorEnvelope | OpenaiGpt51ChatRunResponse]:
    """Run openai/gpt-5.1-chat

    Args:
        account_id (str):
        body (OpenaiGpt51ChatInput): openai/gpt-5.1-chat input, built from the parameter listing
            of https://developers.cloudflare.com/ai/models/openai/gpt-5.1-chat/ (the published schema-
            input.json was not reachable when vendored); `cfai pull` replaces it with the published
            file.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ApiErrorEnvelope | OpenaiGpt51ChatRunResponse]
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
    body: OpenaiGpt51ChatInput,
) -> ApiErrorEnvelope | OpenaiGpt51ChatRunResponse | None:
    """Run openai/gpt-5.1-chat

    Args:
        account_id (str):
        body (OpenaiGpt51ChatInput): openai/gpt-5.1-chat input, built from the parameter listing
            of https://developers.cloudflare.com/ai/models/openai/gpt-5.1-chat/ (the published schema-
            input.json was not reachable when vendored); `cfai pull` replaces it with the published
            file.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ApiErrorEnvelope | OpenaiGpt51ChatRunResponse
    """

    return (
        await asyncio_detailed(
            account_id=account_id,
            client=client,
            body=body,
        )
    ).parsed
