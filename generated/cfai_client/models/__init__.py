"""Contains all the data models used in inputs/outputs"""

from .api_error_envelope import ApiErrorEnvelope
from .api_message import ApiMessage
from .get_model_schema_response_200 import GetModelSchemaResponse200
from .get_model_schema_response_200_result import GetModelSchemaResponse200Result
from .get_model_schema_response_200_result_input import (
    GetModelSchemaResponse200ResultInput,
)
from .get_model_schema_response_200_result_output import (
    GetModelSchemaResponse200ResultOutput,
)
from .openai_gpt_51_chat_chat_completions_request import (
    OpenaiGpt51ChatChatCompletionsRequest,
)
from .openai_gpt_51_chat_chat_completions_request_audio import (
    OpenaiGpt51ChatChatCompletionsRequestAudio,
)
from .openai_gpt_51_chat_chat_completions_request_stream_options import (
    OpenaiGpt51ChatChatCompletionsRequestStreamOptions,
)
from .openai_gpt_51_chat_input import OpenaiGpt51ChatInput
from .openai_gpt_51_chat_input_audio import OpenaiGpt51ChatInputAudio
from .openai_gpt_51_chat_input_stream_options import OpenaiGpt51ChatInputStreamOptions
from .openai_gpt_51_chat_output import OpenaiGpt51ChatOutput
from .openai_gpt_51_chat_output_usage import OpenaiGpt51ChatOutputUsage
from .openai_gpt_51_chat_run_response import OpenaiGpt51ChatRunResponse
from .openai_gpt_55_chat_completions_input import OpenaiGpt55ChatCompletionsInput
from .openai_gpt_55_chat_completions_input_audio import (
    OpenaiGpt55ChatCompletionsInputAudio,
)
from .openai_gpt_55_chat_completions_input_stream_options import (
    OpenaiGpt55ChatCompletionsInputStreamOptions,
)
from .openai_gpt_55_chat_completions_output import OpenaiGpt55ChatCompletionsOutput
from .openai_gpt_55_chat_completions_output_usage import (
    OpenaiGpt55ChatCompletionsOutputUsage,
)
from .openai_gpt_55_chat_completions_request import OpenaiGpt55ChatCompletionsRequest
from .openai_gpt_55_chat_completions_request_audio import (
    OpenaiGpt55ChatCompletionsRequestAudio,
)
from .openai_gpt_55_chat_completions_request_stream_options import (
    OpenaiGpt55ChatCompletionsRequestStreamOptions,
)
from .openai_gpt_55_responses_input import OpenaiGpt55ResponsesInput
from .openai_gpt_55_responses_input_reasoning import OpenaiGpt55ResponsesInputReasoning
from .openai_gpt_55_responses_input_text import OpenaiGpt55ResponsesInputText
from .openai_gpt_55_responses_output import OpenaiGpt55ResponsesOutput
from .openai_gpt_55_responses_output_status import OpenaiGpt55ResponsesOutputStatus
from .openai_gpt_55_responses_output_usage import OpenaiGpt55ResponsesOutputUsage
from .openai_gpt_55_responses_request import OpenaiGpt55ResponsesRequest
from .openai_gpt_55_responses_request_reasoning import (
    OpenaiGpt55ResponsesRequestReasoning,
)
from .openai_gpt_55_responses_request_text import OpenaiGpt55ResponsesRequestText
from .openai_gpt_55_run_response import OpenaiGpt55RunResponse
from .search_models_response_200 import SearchModelsResponse200
from .search_models_response_200_result_item import SearchModelsResponse200ResultItem

__all__ = (
    "ApiErrorEnvelope",
    "ApiMessage",
    "GetModelSchemaResponse200",
    "GetModelSchemaResponse200Result",
    "GetModelSchemaResponse200ResultInput",
    "GetModelSchemaResponse200ResultOutput",
    "OpenaiGpt51ChatChatCompletionsRequest",
    "OpenaiGpt51ChatChatCompletionsRequestAudio",
    "OpenaiGpt51ChatChatCompletionsRequestStreamOptions",
    "OpenaiGpt51ChatInput",
    "OpenaiGpt51ChatInputAudio",
    "OpenaiGpt51ChatInputStreamOptions",
    "OpenaiGpt51ChatOutput",
    "OpenaiGpt51ChatOutputUsage",
    "OpenaiGpt51ChatRunResponse",
    "OpenaiGpt55ChatCompletionsInput",
    "OpenaiGpt55ChatCompletionsInputAudio",
    "OpenaiGpt55ChatCompletionsInputStreamOptions",
    "OpenaiGpt55ChatCompletionsOutput",
    "OpenaiGpt55ChatCompletionsOutputUsage",
    "OpenaiGpt55ChatCompletionsRequest",
    "OpenaiGpt55ChatCompletionsRequestAudio",
    "OpenaiGpt55ChatCompletionsRequestStreamOptions",
    "OpenaiGpt55ResponsesInput",
    "OpenaiGpt55ResponsesInputReasoning",
    "OpenaiGpt55ResponsesInputText",
    "OpenaiGpt55ResponsesOutput",
    "OpenaiGpt55ResponsesOutputStatus",
    "OpenaiGpt55ResponsesOutputUsage",
    "OpenaiGpt55ResponsesRequest",
    "OpenaiGpt55ResponsesRequestReasoning",
    "OpenaiGpt55ResponsesRequestText",
    "OpenaiGpt55RunResponse",
    "SearchModelsResponse200",
    "SearchModelsResponse200ResultItem",
)
