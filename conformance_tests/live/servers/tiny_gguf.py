"""A tiny deterministic chat model for llama.cpp, written with ``gguf`` and ``numpy`` alone.

    python tiny_gguf.py OUT.gguf CHAT_TEMPLATE.jinja

No weights can be downloaded here, so the live tests write their own model:
a llama architecture whose next token depends only on the current one.

- The vocabulary is the 256 byte-level tokens of a GPT-2 style BPE tokenizer,
  the chat template's special tokens and a few whole-word tokens for the
  answer (the prompt never produces those: there are no merges for them).
- The embedding of token ``t`` is the unit vector ``e_t`` (so the embedding
  width is at least the vocabulary size). Every layer's output projections
  are zero, so the residual stream reaching the final norm is still ``e_t``;
  the final norm scales it back to ``e_t``, and the output matrix's column
  ``t`` is therefore the logit vector after token ``t``: a bigram table.
- The table sends the end of the generation prompt (``assistant\\n``) along
  one chain: ``<think>`` + a short reasoning + ``</think>`` + a text answer +
  ``<|im_end|>``. Every token on the chain is distinct, so the chain cannot
  loop. Tokens off the chain prefer ``<|im_end|>``, then the characters that
  close JSON, so under a grammar (a forced tool call, a JSON schema) the
  model writes short valid JSON and stops as soon as the grammar allows.
  After the answer's last token, a grammar that forbids ending the turn
  (``tool_choice: "required"``) gets ``<tool_call>``.
- Logit gaps are wide (20 and more), so sampling at any usual temperature,
  with llama.cpp's default min-p, always picks the top token.

With the Qwen3 chat template as ``tokenizer.chat_template`` and ``--jinja``,
llama-server parses the ``<think>`` block as reasoning and ``<tool_call>``
blocks as function calls.
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import gguf
import numpy as np

ARCH = "llama"
EMBED = 320  # >= the vocabulary size: embeddings are one-hot
LAYERS = 2
HEADS = 4
FEED_FORWARD = 32
CONTEXT = 4096

# Token types as GGUF stores them.
NORMAL, CONTROL, USER_DEFINED = 1, 3, 4

# The Qwen3 template's special tokens: control tokens are never text; the others are.
CONTROL_TOKENS = ("<|endoftext|>", "<|im_start|>", "<|im_end|>")
TEXT_SPECIALS = ("<think>", "</think>", "<tool_call>", "</tool_call>", "<tool_response>", "</tool_response>")

REASONING = ("\nThe", " user", " wants", " a", " short", " reply", ".\n")
ANSWER = (
    "\n\nHello",
    " from",
    " the",
    " tiny",
    " test",
    " model",
    "!",
    " Each",
    " token",
    " picks",
    " its",
    " successor",
    ".",
)
WORDS = REASONING + ANSWER

# The answer as the server should report it (llama.cpp strips the whitespace around reasoning and text).
ANSWER_TEXT = "".join(ANSWER).strip()
REASONING_TEXT = "".join(REASONING).strip()

# What a token off the chain prefers, best first: end the turn, else close JSON.
FALLBACK = ("<|im_end|>", '"', "}", "]", ",", ":", "1", "{")

CHAIN_LOGIT = 20.0
RANK_STEP = 4.0


def byte_alphabet() -> list[str]:
    """GPT-2's byte-to-text mapping: printable bytes stand for themselves, the rest are shifted past 255."""
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    text: dict[int, str] = {b: chr(b) for b in printable}
    shift = 0
    for b in range(256):
        if b not in text:
            text[b] = chr(256 + shift)
            shift += 1
    return [text[b] for b in range(256)]


BYTES = byte_alphabet()


def as_token_text(word: str) -> str:
    return "".join(BYTES[b] for b in word.encode())


def vocabulary() -> tuple[list[str], list[int]]:
    tokens = list(BYTES)
    types = [NORMAL] * 256
    for name in CONTROL_TOKENS:
        tokens.append(name)
        types.append(CONTROL)
    for name in TEXT_SPECIALS:
        tokens.append(name)
        types.append(USER_DEFINED)
    for word in WORDS:
        if as_token_text(word) not in tokens:  # "!" and "." are byte tokens already
            tokens.append(as_token_text(word))
            types.append(NORMAL)
    tokens.append(as_token_text("  "))  # the one merge's product (the tokenizer needs at least one merge)
    types.append(NORMAL)
    if len(set(tokens)) != len(tokens) or len(tokens) > EMBED:
        raise AssertionError("the vocabulary must be distinct and fit the embedding width")
    return tokens, types


def _ranked(vocab: int, order: list[int]) -> np.ndarray:
    """Logits that rank ``order`` first (best first), then every other token by id, RANK_STEP apart."""
    rest = [i for i in range(vocab) if i not in order]
    ranked = np.zeros(vocab, dtype=np.float32)
    for rank, token in enumerate(order + rest):
        ranked[token] = -RANK_STEP * rank
    return ranked


def bigram_table(tokens: list[str]) -> np.ndarray:
    """The output matrix (vocabulary x embedding): column t holds the logits after token t."""
    ids = {text: i for i, text in enumerate(tokens)}

    def token_id(text: str) -> int:
        return ids[text] if text.startswith("<") and text in ids else ids[as_token_text(text)]

    vocab = len(tokens)
    fallback = [token_id(t) for t in FALLBACK]
    table = np.zeros((vocab, EMBED), dtype=np.float32)
    table[:, :vocab] = _ranked(vocab, fallback)[:, None]
    chain = ["\n", "<think>", *REASONING, "</think>", *ANSWER, "<|im_end|>"]
    chain_ids = [token_id(t) for t in chain]
    if len(set(chain_ids)) != len(chain_ids):
        raise AssertionError("a token repeated on the chain would make it loop")
    # After the answer's last token: end the turn, or, where a grammar insists on a tool call, start one.
    table[:vocab, chain_ids[-2]] = _ranked(vocab, [token_id("<tool_call>"), *fallback])
    # A tool call's opening tag is followed by a newline, as in the template.
    table[:vocab, token_id("<tool_call>")] = _ranked(vocab, [*fallback[:1], token_id("\n"), *fallback[1:]])
    for current, following in itertools.pairwise(chain_ids):
        table[following, current] = CHAIN_LOGIT
    return table


def write(path: Path, chat_template: str) -> None:
    tokens, types = vocabulary()
    vocab = len(tokens)
    ids = {text: i for i, text in enumerate(tokens)}
    writer = gguf.GGUFWriter(str(path), ARCH)
    writer.add_name("responses-conformance tiny bigram")
    writer.add_context_length(CONTEXT)
    writer.add_embedding_length(EMBED)
    writer.add_block_count(LAYERS)
    writer.add_feed_forward_length(FEED_FORWARD)
    writer.add_head_count(HEADS)
    writer.add_head_count_kv(HEADS)
    writer.add_rope_dimension_count(EMBED // HEADS)
    writer.add_layer_norm_rms_eps(1e-6)
    writer.add_file_type(gguf.LlamaFileType.MOSTLY_F16)
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("qwen2")
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    writer.add_token_merges([f"{BYTES[32]} {BYTES[32]}"])
    writer.add_bos_token_id(ids["<|endoftext|>"])
    writer.add_eos_token_id(ids["<|im_end|>"])
    writer.add_pad_token_id(ids["<|endoftext|>"])
    writer.add_add_bos_token(False)
    writer.add_chat_template(chat_template)

    embedding = np.zeros((vocab, EMBED), dtype=np.float32)
    embedding[np.arange(vocab), np.arange(vocab)] = 1.0
    writer.add_tensor("token_embd.weight", embedding)
    # RMS norm turns the unit vector e_t into sqrt(EMBED) * e_t; this weight scales it back to e_t.
    writer.add_tensor("output_norm.weight", np.full(EMBED, 1.0 / np.sqrt(EMBED), dtype=np.float32))
    writer.add_tensor("output.weight", bigram_table(tokens))
    square = np.zeros((EMBED, EMBED), dtype=np.float16)
    for layer in range(LAYERS):
        name = f"blk.{layer}"
        writer.add_tensor(f"{name}.attn_norm.weight", np.ones(EMBED, dtype=np.float32))
        for proj in ("attn_q", "attn_k", "attn_v", "attn_output"):
            writer.add_tensor(f"{name}.{proj}.weight", square)
        writer.add_tensor(f"{name}.ffn_norm.weight", np.ones(EMBED, dtype=np.float32))
        writer.add_tensor(f"{name}.ffn_gate.weight", np.zeros((FEED_FORWARD, EMBED), dtype=np.float16))
        writer.add_tensor(f"{name}.ffn_up.weight", np.zeros((FEED_FORWARD, EMBED), dtype=np.float16))
        writer.add_tensor(f"{name}.ffn_down.weight", np.zeros((EMBED, FEED_FORWARD), dtype=np.float16))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


if __name__ == "__main__":
    write(Path(sys.argv[1]), Path(sys.argv[2]).read_text(encoding="utf-8"))
