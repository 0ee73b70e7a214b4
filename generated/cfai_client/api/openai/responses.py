from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...models.api_error_envelope import ApiErrorEnvelope
from ...models.openai_gpt_55_chat_completions_output import (
    OpenaiGpt55ChatCompletionsOutput,
)
from ...models.openai_gpt_55_responses_output import OpenaiGpt55ResponsesOutput
from ...models.openai_gpt_55_responses_request import OpenaiGpt55ResponsesRequest
from ...types import Response


def _get_kwargs(
    account_id: str,
    *,
    body: OpenaiGpt55ResponsesRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/accounts/{account_id}/ai/v1/responses".format(
            account_id=quote(str(account_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ApiErrorEnvelope | OpenaiGpt55ChatCompletionsOutput | OpenaiGpt55ResponsesOutput:
    if response.status_code == 200:

        def _parse_response_200(
            data: object,
        ) -> OpenaiGpt55ChatCompletionsOutput | OpenaiGpt55ResponsesOutput:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_openai_gpt_55_output_type_0 = (
                    OpenaiGpt55ResponsesOutput.from_dict(data)
                )

                return componentsschemas_openai_gpt_55_output_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_openai_gpt_55_output_type_1 = (
                OpenaiGpt55ChatCompletionsOutput.from_dict(data)
            )

            return componentsschemas_openai_gpt_55_output_type_1

        response_200 = _parse_response_200(response.json())

        return response_200

    response_default = ApiErrorEnvelope.from_dict(response.json())

    return response_default


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[
    ApiErrorEnvelope | OpenaiGpt55ChatCompletionsOutput | OpenaiGpt55ResponsesOutput
]:
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
    body: OpenaiGpt55ResponsesRequest,
) -> Response[
    ApiErrorEnvelope | OpenaiGpt55ChatCompletionsOutput | OpenaiGpt55ResponsesOutput
]:
    """Responses (OpenAI-compatible)

    Args:
        account_id (str):
        body (OpenaiGpt55ResponsesRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ApiErrorEnvelope | OpenaiGpt55ChatCompletionsOutput | OpenaiGpt55ResponsesOutput]
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
    body: OpenaiGpt55ResponsesRequest,
) -> (
    ApiErrorEnvelope
    | OpenaiGpt55ChatCompletionsOutput
    | OpenaiGpt55ResponsesOutput
    | None
):
    """Responses (OpenAI-compatible)

    Args:
        account_id (str):
        body (OpenaiGpt55ResponsesRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ApiErrorEnvelope | OpenaiGpt55ChatCompletionsOutput | OpenaiGpt55ResponsesOutput
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
    body: OpenaiGpt55ResponsesRequest,
) -> Response[
    ApiErrorEnvelope | OpenaiGpt55ChatCompletionsOutput | OpenaiGpt55ResponsesOutput
]:
    """Responses (OpenAI-compatible)

    Args:
        account_id (str):
        body (OpenaiGpt55ResponsesRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ApiErrorEnvelope | OpenaiGpt55ChatCompletionsOutput | OpenaiGpt55ResponsesOutput]
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
    body: OpenaiGpt55ResponsesRequest,
) -> (
    ApiErrorEnvelope
    | OpenaiGpt55ChatCompletionsOutput
    | OpenaiGpt55ResponsesOutput
    | None
):
    """Responses (OpenAI-compatible)

    Args:
        account_id (str):
        body (OpenaiGpt55ResponsesRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ApiErrorEnvelope | OpenaiGpt55ChatCompletionsOutput | OpenaiGpt55ResponsesOutput
    """

    return (
        await asyncio_detailed(
            account_id=account_id,
            client=client,
            body=body,
        )
    ).parsed
