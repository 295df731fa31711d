namespace DiffusionLab.Text;

/// <summary>
/// One PhotoMaker encoder input (<see cref="TriggerPrompt.Encode"/>): ids with the class token
/// repeated <see cref="Copies"/> times from <see cref="ClassIndex"/>, the mask of those copies
/// (PhotoMaker's class_tokens_mask) and per-token prompt weights (copies share the class word's).
/// </summary>
public sealed class ClassTokenInput
{
    internal ClassTokenInput(EncodedText encoded, bool[] classMask, float[] weights, int classIndex, int copies)
    {
        Encoded = encoded;
        ClassMask = Array.AsReadOnly(classMask);
        Weights = Array.AsReadOnly(weights);
        ClassIndex = classIndex;
        Copies = copies;
    }

    public EncodedText Encoded { get; }

    public IReadOnlyList<long> Ids => Encoded.Ids;

    /// <summary>True exactly at positions [ClassIndex, ClassIndex + Copies).</summary>
    public IReadOnlyList<bool> ClassMask { get; }

    public IReadOnlyList<float> Weights { get; }

    /// <summary>Position of the first copy of the class token.</summary>
    public int ClassIndex { get; }

    public int Copies { get; }
}
