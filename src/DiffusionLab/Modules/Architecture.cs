namespace DiffusionLab.Modules;

/// <summary>Which network family a <see cref="DenoiserConfig"/> builds.</summary>
public enum Architecture
{
    /// <summary>DiT (Peebles and Xie, 2023): adaLN-Zero transformer, fixed sin-cos position embedding.</summary>
    DiT,
    /// <summary>MDT v1 (arXiv 2303.14389): DiT + masked latent modelling with a side-interpolator.</summary>
    Mdt,
    /// <summary>MDTv2: MDT + U-ViT long skips in the encoder and dense input skips into the decoder.</summary>
    MdtV2,
}
