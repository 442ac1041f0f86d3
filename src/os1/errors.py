"""The os1 exception tree. Every error a user can cause or meet is one of these, with a message
that says what happened and how to fix it, in one line.

    Os1Error
    ├── ConfigError            bad settings file or value
    ├── InputError             empty, oversized or undecodable user input
    ├── LLMError               a model could not answer
    │   ├── ModelLoadError     missing or corrupt model file
    │   ├── ModelUnreachable   server down or refusing connections
    │   ├── NeedsKey           server wants an API key
    │   ├── RateLimited
    │   └── BadModelResponse   server answered with something that is not a valid reply
    ├── ToolError
    │   ├── ToolInputError     the model called a tool with bad arguments
    │   └── ToolFailed         the tool ran and failed
    ├── MemoryStoreError       the store cannot be opened or written
    ├── AccountError           a registration, login or account change refused (os1 serve)
    └── VoiceError             an audio file, device or speech engine cannot be used
        ├── BadAudio           an audio file that cannot be used (also an InputError)
        └── NoAudioDevice      no microphone or speaker (use files instead)
"""

from __future__ import annotations


class Os1Error(Exception):
    """Base of every os1 error."""


class ConfigError(Os1Error):
    pass


class InputError(Os1Error):
    pass


class LLMError(Os1Error):
    pass


class ModelLoadError(LLMError):
    pass


class ModelUnreachable(LLMError):
    pass


class NeedsKey(LLMError):
    pass


class RateLimited(LLMError):
    pass


class BadModelResponse(LLMError):
    pass


class ToolError(Os1Error):
    pass


class ToolInputError(ToolError):
    pass


class ToolFailed(ToolError):
    pass


class MemoryStoreError(Os1Error):
    pass


class VoiceError(Os1Error):
    pass


class NoAudioDevice(VoiceError):
    pass


class BadAudio(VoiceError, InputError):
    pass


class AccountError(Os1Error):
    pass
