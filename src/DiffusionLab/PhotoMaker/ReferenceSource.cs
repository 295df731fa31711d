namespace DiffusionLab.PhotoMaker;

/// <summary>Where a training target's reference images come from (photomaker.md §2.3).</summary>
public enum ReferenceSource
{
    /// <summary>PhotoMaker: 1–4 OTHER images of the same identity, so pose and expression cannot be copied.</summary>
    OtherImages,

    /// <summary>The "single image" ablation (PAPv1 Tab. 2b): the target itself, augmented into each reference.</summary>
    SingleImage,
}
