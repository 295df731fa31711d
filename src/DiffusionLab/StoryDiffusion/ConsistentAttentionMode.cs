namespace DiffusionLab.StoryDiffusion;

/// <summary>How a batch of images uses consistent self-attention (storydiffusion.md §2.3 B, §2.4).</summary>
public enum ConsistentAttentionMode
{
    /// <summary>Reference images generated together: each also attends to tokens sampled from the others, and the samples go into the bank.</summary>
    Write,
    /// <summary>Later panels, each attending to its own tokens plus the banks' tokens of the same step.</summary>
    Read,
    /// <summary>All images together with mutual CSA and no bank (the paper's formulation; memory grows with the batch).</summary>
    Batch,
}
