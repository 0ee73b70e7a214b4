from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...models.api_error_envelope import ApiErrorEnvelope
from ...models.get_model_schema_response_200 import GetModelSchemaResponse200
from ...types import UNSET, Response


def _get_kwargs(
    account_id: str,
    *,
    model: str,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["model"] = model

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/accounts/{account_id}/ai/models/schema".format(
            account_id=quote(str(account_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ApiErrorEnvelope | GetModelSchemaResponse200:
    if response.status_code == 200:
        response_200 = GetModelSchemaResponse200.from_dict(response.json())

        return response_200

    response_default = ApiErrorEnvelope.from_dict(response.json())

    return response_default


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ApiErrorEnvelope | GetModelSchemaResponse200]:
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
    model: str,
) -> Response[ApiErrorEnvelope | GetModelSchemaResponse200]:
    """The input and output schemas of one model

    Args:
        account_id (str):
        model (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ApiErrorEnvelope | GetModelSchemaResponse200]
    """

    kwargs = _get_kwargs(
        account_id=account_id,
        model=model,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    account_id: str,
    *,
    client: AuthenticatedClient | Client,
    model: str,
) -> ApiErrorEnvelope | GetModelSchemaResponse200 | None:
    """The input and output schemas of one model

    Args:
        account_id (str):
        model (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ApiErrorEnvelope | GetModelSchemaResponse200
    """

    return sync_detailed(
        account_id=account_id,
        client=client,
        model=model,
    ).parsed


async def asyncio_detailed(
    account_id: str,
    *,
    client: AuthenticatedClient | Client,
    model: str,
) -> Response[ApiErrorEnvelope | GetModelSchemaResponse200]:
    """The input and output schemas of one model

    Args:
        account_id (str):
        model (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ApiErrorEnvelope | GetModelSchemaResponse200]
    """

    kwargs = _get_kwargs(
        account_id=account_id,
        model=model,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    account_id: str,
    *,
    client: AuthenticatedClient | Client,
    model: str,
) -> ApiErrorEnvelope | GetModelSchemaResponse200 | None:
    """The input and output schemas of one model

    Args:
        account_id (str):
        model (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ApiErrorEnvelope | GetModelSchemaResponse200
    """

    return (
        await asyncio_detailed(
            account_id=account_id,
            client=client,
            model=model,
        )
    ).parsed
