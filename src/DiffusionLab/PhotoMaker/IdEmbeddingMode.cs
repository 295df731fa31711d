namespace DiffusionLab.PhotoMaker;

/// <summary>How N reference images enter the prompt (photomaker.md §1.3, the Tab. 2a ablation).</summary>
public enum IdEmbeddingMode
{
    /// <summary>PhotoMaker: the class token repeated N times, copy i fused with image i (N stacked ID tokens).</summary>
    Stacked,

    /// <summary>Baseline: the N image embeddings averaged into one, fused with the single class token.</summary>
    Average,
}
