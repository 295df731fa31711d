namespace DiffusionLab.PhotoMaker;

/// <summary>What of the frozen text-to-image backbone a personalisation stage trains (photomaker.md §1.4, §7).</summary>
public enum BackboneAdaptation
{
    /// <summary>LoRA residuals on every attention projection (self-attention qkv/proj, cross-attention q/kv/proj); base frozen.</summary>
    Lora,

    /// <summary>The cross-attention (q_linear, kv_linear, proj) of every block unfrozen; everything else frozen.</summary>
    CrossAttention,

    /// <summary>Every backbone weight except the text encoder (DreamBooth's full fine-tuning).</summary>
    Full,
}
