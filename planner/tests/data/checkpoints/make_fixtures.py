#!/usr/bin/env python3
"""Writes the recorded checkpoint headers of this folder (see README.md for the sources).

Run from the repository root: python3 planner/tests/data/checkpoints/make_fixtures.py
Only the headers are written: each .safetensors file here is the first 8 + N bytes of the
shard (the length prefix and the JSON header), each .gguf file the header of the file. The
tensor data is not here; the planner never reads it.
"""
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def safetensors_prefix(tensors):
    """tensors: list of (name, dtype, shape, nbytes). Offsets as safetensors `serialize`
    lays them out: sorted by dtype alignment, then by name; the header padded with spaces to a
    multiple of 8 (safetensors/src/tensor.rs `prepare`)."""
    align = {"F64": 8, "I64": 8, "U64": 8, "F32": 4, "I32": 4, "U32": 4, "F16": 2, "BF16": 2,
             "I16": 2, "U16": 2, "U8": 1, "I8": 1, "F8_E4M3": 1, "F8_E5M2": 1, "BOOL": 1}
    order = sorted(tensors, key=lambda t: (-align[t[1]], t[0]))
    header = {"__metadata__": {"format": "pt"}}
    at = 0
    for name, dtype, shape, nbytes in order:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [at, at + nbytes]}
        at += nbytes
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text


def medgemma():
    """google/medgemma-27b-it: tensor names and shards from its model.safetensors.index.json,
    shapes from its config.json (both copied in the GitHub mirror Ibtasam-98/medgemma-27b-it,
    commit 248890241658b01897602b12d3b9fc920ecb4676)."""
    out = os.path.join(HERE, "medgemma-27b-it")
    index = json.load(open(os.path.join(out, "model.safetensors.index.json")))
    H, I, V, HD, NH, NKV = 5376, 21504, 262208, 128, 32, 16
    VH, VI, P, IMG = 1152, 4304, 14, 896
    layer = {
        "input_layernorm.weight": [H], "post_attention_layernorm.weight": [H],
        "pre_feedforward_layernorm.weight": [H], "post_feedforward_layernorm.weight": [H],
        "self_attn.q_norm.weight": [HD], "self_attn.k_norm.weight": [HD],
        "self_attn.q_proj.weight": [NH * HD, H], "self_attn.k_proj.weight": [NKV * HD, H],
        "self_attn.v_proj.weight": [NKV * HD, H], "self_attn.o_proj.weight": [H, NH * HD],
        "mlp.gate_proj.weight": [I, H], "mlp.up_proj.weight": [I, H],
        "mlp.down_proj.weight": [H, I],
    }
    vision_layer = {
        "layer_norm1.weight": [VH], "layer_norm1.bias": [VH], "layer_norm2.weight": [VH],
        "layer_norm2.bias": [VH], "mlp.fc1.weight": [VI, VH], "mlp.fc1.bias": [VI],
        "mlp.fc2.weight": [VH, VI], "mlp.fc2.bias": [VH],
    }
    for p in ["q", "k", "v", "out"]:
        vision_layer[f"self_attn.{p}_proj.weight"] = [VH, VH]
        vision_layer[f"self_attn.{p}_proj.bias"] = [VH]
    fixed = {
        "language_model.model.embed_tokens.weight": [V, H],
        "language_model.model.norm.weight": [H],
        "multi_modal_projector.mm_input_projection_weight": [VH, H],
        "multi_modal_projector.mm_soft_emb_norm.weight": [VH],
        "vision_tower.vision_model.embeddings.patch_embedding.weight": [VH, 3, P, P],
        "vision_tower.vision_model.embeddings.patch_embedding.bias": [VH],
        "vision_tower.vision_model.embeddings.position_embedding.weight": [(IMG // P) ** 2, VH],
        "vision_tower.vision_model.post_layernorm.weight": [VH],
        "vision_tower.vision_model.post_layernorm.bias": [VH],
    }

    def shape(name):
        if name in fixed:
            return fixed[name]
        parts = name.split(".")
        if name.startswith("language_model.model.layers."):
            return layer[".".join(parts[4:])]
        return vision_layer[".".join(parts[5:])]

    def tensor(name):
        s = shape(name)
        n = 2
        for d in s:
            n *= d
        return "BF16", s, n

    write_shards(out, index, tensor, "medgemma-27b-it")


# GGUF writer (ggml/src/gguf.cpp layout, version 3, little-endian).
GGUF_U32, GGUF_F32, GGUF_STR, GGUF_ARR, GGUF_I32 = 4, 6, 8, 9, 5


def gguf_str(s):
    b = s.encode()
    return struct.pack("<Q", len(b)) + b


def gguf_kv(key, t, value):
    out = gguf_str(key) + struct.pack("<I", t)
    if t == GGUF_U32:
        return out + struct.pack("<I", value)
    if t == GGUF_F32:
        return out + struct.pack("<f", value)
    if t == GGUF_STR:
        return out + gguf_str(value)
    inner, items = value
    out += struct.pack("<IQ", inner, len(items))
    for v in items:
        out += gguf_str(v) if inner == GGUF_STR else struct.pack("<f" if inner == GGUF_F32 else "<i", v)
    return out


def tinyllama():
    """TheBloke/TinyLlama-1.1B-Chat-v1.0-GGUF tinyllama-1.1b-chat-v1.0.Q4_K_M.gguf as llama.cpp
    logs it (README.md): 23 key-values, 201 tensors (f32 45, q4_K 135, q6_K 21), the tensor
    order of its create_tensor lines. Types per tensor follow llama-quant.cpp's Q4_K_M mix:
    output.weight q6_K; attn_v and ffn_down q6_K on use_more_bits layers, else q4_K."""
    H, FF, V, KV, L = 2048, 5632, 32000, 256, 22
    Q4K, Q6K, F32 = (12, 256, 144), (14, 256, 210), (0, 1, 4)

    def more(i, n):
        return i < n // 8 or i >= 7 * n // 8 or (i - n // 8) % 3 == 2

    tensors = [("token_embd.weight", [H, V], Q4K), ("output_norm.weight", [H], F32),
               ("output.weight", [H, V], Q6K)]
    for i in range(L):
        hi = Q6K if more(i, L) else Q4K
        tensors += [
            (f"blk.{i}.attn_norm.weight", [H], F32), (f"blk.{i}.attn_q.weight", [H, H], Q4K),
            (f"blk.{i}.attn_k.weight", [H, KV], Q4K), (f"blk.{i}.attn_v.weight", [H, KV], hi),
            (f"blk.{i}.attn_output.weight", [H, H], Q4K), (f"blk.{i}.ffn_norm.weight", [H], F32),
            (f"blk.{i}.ffn_gate.weight", [H, FF], Q4K), (f"blk.{i}.ffn_down.weight", [FF, H], hi),
            (f"blk.{i}.ffn_up.weight", [H, FF], Q4K),
        ]
    # The logged key-values; the tokenizer arrays have their logged lengths, with placeholder
    # entries (the tensor table does not depend on them).
    kvs = [
        ("general.architecture", GGUF_STR, "llama"),
        ("general.name", GGUF_STR, "tinyllama_tinyllama-1.1b-chat-v1.0"),
        ("llama.context_length", GGUF_U32, 2048), ("llama.embedding_length", GGUF_U32, 2048),
        ("llama.block_count", GGUF_U32, 22), ("llama.feed_forward_length", GGUF_U32, 5632),
        ("llama.rope.dimension_count", GGUF_U32, 64), ("llama.attention.head_count", GGUF_U32, 32),
        ("llama.attention.head_count_kv", GGUF_U32, 4),
        ("llama.attention.layer_norm_rms_epsilon", GGUF_F32, 1e-5),
        ("llama.rope.freq_base", GGUF_F32, 10000.0), ("general.file_type", GGUF_U32, 15),
        ("tokenizer.ggml.model", GGUF_STR, "llama"),
        ("tokenizer.ggml.tokens", GGUF_ARR, (GGUF_STR, [f"t{i}" for i in range(32000)])),
        ("tokenizer.ggml.scores", GGUF_ARR, (GGUF_F32, [0.0] * 32000)),
        ("tokenizer.ggml.token_type", GGUF_ARR, (GGUF_I32, [1] * 32000)),
        ("tokenizer.ggml.merges", GGUF_ARR, (GGUF_STR, [f"m {i}" for i in range(61249)])),
        ("tokenizer.ggml.bos_token_id", GGUF_U32, 1), ("tokenizer.ggml.eos_token_id", GGUF_U32, 2),
        ("tokenizer.ggml.unknown_token_id", GGUF_U32, 0),
        ("tokenizer.ggml.padding_token_id", GGUF_U32, 2),
        ("tokenizer.chat_template", GGUF_STR, "{% for message in messages %}{{ message['content'] }}{% endfor %}"),
        ("general.quantization_version", GGUF_U32, 2),
    ]
    out = b"GGUF" + struct.pack("<IQQ", 3, len(tensors), len(kvs))
    for k, t, v in kvs:
        out += gguf_kv(k, t, v)
    at, total = 0, 0
    for name, dims, (t, blck, size) in tensors:
        n = dims[0] // blck * size
        for d in dims[1:]:
            n *= d
        out += gguf_str(name) + struct.pack("<I", len(dims))
        out += b"".join(struct.pack("<q", d) for d in dims) + struct.pack("<IQ", t, at)
        at += (n + 31) // 32 * 32
        total += n
    with open(os.path.join(HERE, "tinyllama-1.1b-chat-v1.0.Q4_K_M.gguf"), "wb") as f:
        f.write(out)
    print("tinyllama Q4_K_M: tensors sum to", total, "bytes; header", len(out), "bytes;",
          "file", (len(out) + 31) // 32 * 32 + at, "bytes =", ((len(out) + 31) // 32 * 32 + at) / 2**20, "MiB")


def llama_linears(H, I, NH, NKV, HD):
    """A Llama layer's linears: name → (in, out) (transformers `modeling_llama.py`)."""
    return {
        "self_attn.q_proj": (H, NH * HD), "self_attn.k_proj": (H, NKV * HD),
        "self_attn.v_proj": (H, NKV * HD), "self_attn.o_proj": (NH * HD, H),
        "mlp.gate_proj": (H, I), "mlp.up_proj": (H, I), "mlp.down_proj": (I, H),
    }


def llama3_fp8():
    """neuralmagic/Meta-Llama-3-8B-Instruct-FP8 (AutoFP8, static activation scales): tensor
    names and shards from its model.safetensors.index.json, copied unchanged from the GitHub
    fixture llm-d/llm-d-kv-cache-manager@eea3a359b55bb8ddcdaed40c00ce3a586882c393
    tests/e2e/redis_mock/testdata/local-llama3/ with its config.json. AutoFP8 stores each
    linear's weight as F8_E4M3 [out, in] and its `weight_scale` and `input_scale` as 0-dim F32
    tensors (auto_fp8/quantize.py `per_tensor_quantize` returns `scale.float().reciprocal()` of
    a tensor-wide amax); the embedding, lm_head and norms stay BF16 (`torch_dtype`)."""
    out = os.path.join(HERE, "meta-llama-3-8b-instruct-fp8")
    index = json.load(open(os.path.join(out, "model.safetensors.index.json")))
    H, I, V, L = 4096, 14336, 128256, 32
    linears = llama_linears(H, I, 32, 8, 128)

    def tensor(name):
        if name in ("model.embed_tokens.weight", "lm_head.weight"):
            return "BF16", [V, H], V * H * 2
        if name.endswith("norm.weight"):
            return "BF16", [H], H * 2
        rest = name.split(".", 3)[3]
        module, kind = rest.rsplit(".", 1)
        if kind in ("weight_scale", "input_scale"):
            return "F32", [], 4
        i, o = linears[module]
        return "F8_E4M3", [o, i], o * i

    write_shards(out, index, tensor, "Meta-Llama-3-8B-Instruct-FP8")


def write_shards(out, index, tensor, label):
    """Writes each shard of `index` from `tensor(name) -> (dtype, shape, bytes)` and checks
    the sum against the index's `metadata.total_size`."""
    shards = {}
    for name, shard in index["weight_map"].items():
        dtype, shape, n = tensor(name)
        shards.setdefault(shard, []).append((name, dtype, shape, n))
    total = 0
    for shard, tensors in sorted(shards.items()):
        total += sum(t[3] for t in tensors)
        with open(os.path.join(out, shard), "wb") as f:
            f.write(safetensors_prefix(tensors))
    assert total == index["metadata"]["total_size"], (total, index["metadata"]["total_size"])
    print(label + ": headers sum to", total, "= metadata.total_size")


def tinyllama_awq():
    """TheBloke/TinyLlama-1.1B-Chat-v1.0-AWQ: one model.safetensors (no index), its config.json
    copied unchanged from the GitHub mirror
    Atari-Katana/Bolt-XL-Extreme@83ee3de7332e7f43221a413244c14d7d3bd3900d
    models/TinyLlama-1.1B-Chat-v1.0-AWQ/, whose git-lfs pointer gives the file's size,
    765,750,416 bytes. AutoAWQ's GEMM layout (awq/modules/linear/gemm.py `WQLinear_GEMM`):
    qweight I32 [in, out / 8], qzeros I32 [in / group, out / 8], scales F16 [in / group, out];
    embedding, lm_head and norms F16. The header written as safetensors writes it must make
    8 + N + the tensors' bytes equal the file's size."""
    out = os.path.join(HERE, "tinyllama-1.1b-chat-v1.0-awq")
    H, I, V, L, G = 2048, 5632, 32000, 22, 128
    tensors = [("model.embed_tokens.weight", "F16", [V, H], V * H * 2),
               ("lm_head.weight", "F16", [V, H], V * H * 2),
               ("model.norm.weight", "F16", [H], H * 2)]
    for layer in range(L):
        p = f"model.layers.{layer}."
        tensors += [(p + "input_layernorm.weight", "F16", [H], H * 2),
                    (p + "post_attention_layernorm.weight", "F16", [H], H * 2)]
        for module, (i, o) in llama_linears(H, I, 32, 4, 64).items():
            tensors += [(p + module + ".qweight", "I32", [i, o // 8], i * o // 2),
                        (p + module + ".qzeros", "I32", [i // G, o // 8], i // G * o // 2),
                        (p + module + ".scales", "F16", [i // G, o], i // G * o * 2)]
    prefix = safetensors_prefix(tensors)
    total = sum(t[3] for t in tensors)
    with open(os.path.join(out, "model.safetensors"), "wb") as f:
        f.write(prefix)
    print("TinyLlama AWQ: tensors", total, "+ header", len(prefix), "=", total + len(prefix),
          "bytes; the file is 765750416")
    assert total + len(prefix) == 765750416


def hostile():
    out = os.path.join(HERE, "hostile")
    os.makedirs(out, exist_ok=True)
    ok = safetensors_prefix([("w", "BF16", [2, 2], 8)])

    def write(name, data):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)

    write("truncated.safetensors", ok[: len(ok) - 10])
    write("length_2_pow_63.safetensors", struct.pack("<Q", 1 << 63) + b"{}")
    bad = b'{"w":{"dtype":"BF16","shape":[2,2],"data_offsets":[0,8]'
    write("not_json.safetensors", struct.pack("<Q", len(bad)) + bad)
    overlap = json.dumps({"a": {"dtype": "BF16", "shape": [4], "data_offsets": [0, 8]},
                          "b": {"dtype": "BF16", "shape": [4], "data_offsets": [4, 12]}}).encode()
    write("overlapping_offsets.safetensors", struct.pack("<Q", len(overlap)) + overlap)
    huge = json.dumps({"w": {"dtype": "F32", "shape": [2**32, 2**32, 2**32],
                             "data_offsets": [0, 16]}}).encode()
    write("shape_overflow.safetensors", struct.pack("<Q", len(huge)) + huge)
    gguf = open(os.path.join(HERE, "tinyllama-1.1b-chat-v1.0.Q4_K_M.gguf"), "rb").read()
    write("truncated.gguf", gguf[:4096])


if __name__ == "__main__":
    medgemma()
    tinyllama()
    llama3_fp8()
    tinyllama_awq()
    hostile()
