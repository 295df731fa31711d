namespace DiffusionLab.Runs;

/// <summary>What a shipped model (<see cref="ShippedModel"/>) draws from: class labels, prompts, or prompts plus reference images.</summary>
public enum ShippedModelKind
{
    ClassConditional,
    TextToImage,
    PhotoMaker,
}
