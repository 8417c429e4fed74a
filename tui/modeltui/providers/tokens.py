"""Token estimates for routing and for usage the provider did not report.

Four characters per token is the usual rule of thumb for English with BPE tokenizers; we use it
instead of a real tokenizer because routing must be fast and tiktoken fetches vocabularies online.
"""

from __future__ import annotations


def estimate_tokens(text: str) -> int:
    return max(1, (len(text) + 3) // 4)


def estimate_messages(messages: list[dict]) -> int:
    """Prompt tokens for a chat: content plus a few tokens of framing per message."""
    return sum(estimate_tokens(str(m.get("content", ""))) + 4 for m in messages) + 2
