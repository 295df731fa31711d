using static TorchSharp.torch;

namespace DiffusionLab.Modules;

/// <summary>
/// What the cross-attention of every block reads: the text tokens (B, L, D_text) and which of them are
/// real (B, L) bool, true = attend (null = all). Built once per forward by the network.
/// </summary>
public sealed record CrossAttentionContext(Tensor Tokens, Tensor? KeyMask);
