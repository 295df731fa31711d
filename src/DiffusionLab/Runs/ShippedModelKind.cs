namespace DiffusionLab.Runs;

/// <summary>What a shipped model (<see cref="ShippedModel"/>) draws from: class labels, prompts, prompts plus reference images, or prompts plus two keyframes (a transition clip).</summary>
public enum ShippedModelKind
{
    ClassConditional,
    TextToImage,
    PhotoMaker,
    Transition,
}
