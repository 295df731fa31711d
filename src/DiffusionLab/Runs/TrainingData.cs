using DiffusionLab.Data;
using DiffusionLab.Text;

namespace DiffusionLab.Runs;

/// <summary>
/// What a run trains on: the training set, and for text-to-image data the tokenizer that turns captions
/// into ids and the prompts of its periodic sample grids (captions of people it never trains on).
/// Disposes the set and whatever else backs it.
/// </summary>
public sealed class TrainingData(ITrainingSet set, WordTokenizer? tokenizer, IReadOnlyList<string> samplePrompts, params IDisposable[] owned) : IDisposable
{
    public ITrainingSet Set { get; } = set;
    public WordTokenizer? Tokenizer { get; } = tokenizer;
    public IReadOnlyList<string> SamplePrompts { get; } = samplePrompts;

    public void Dispose()
    {
        (Set as IDisposable)?.Dispose();
        foreach (var o in owned) o.Dispose();
    }
}
