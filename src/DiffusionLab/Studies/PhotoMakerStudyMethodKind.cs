namespace DiffusionLab.Studies;

/// <summary>What a method of the PhotoMaker study is (the rows of photomaker.md's Tab. 1 and Tab. 2).</summary>
public enum PhotoMakerStudyMethodKind
{
    /// <summary>The text-to-image base with the class word and no identity: the floor of identity similarity.</summary>
    TextOnly,
    /// <summary>PhotoMaker: stacked ID tokens from other images of the person.</summary>
    Stacked,
    /// <summary>Tab. 2a baseline: the reference embeddings averaged into one token.</summary>
    Average,
    /// <summary>Tab. 2b baseline: trained with the target itself as its references.</summary>
    SingleImage,
    /// <summary>Test-time fine-tuning per person (§6).</summary>
    DreamBooth,
}
