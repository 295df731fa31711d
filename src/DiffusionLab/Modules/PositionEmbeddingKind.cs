namespace DiffusionLab.Modules;

/// <summary>How the absolute 2-D position embedding is provided (mdt.md §2).</summary>
public enum PositionEmbeddingKind
{
    /// <summary>MAE 2-D sin-cos table, frozen (DiT).</summary>
    FixedSinCos,
    /// <summary>Learnable parameter initialised with the sin-cos table (MDT).</summary>
    Learnable,
    /// <summary>No absolute position embedding (ablation). The parameter still exists, frozen at zero, so state dicts keep their keys.</summary>
    None,
}
