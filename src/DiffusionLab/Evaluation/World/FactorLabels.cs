using DiffusionLab.Data.World;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Evaluation.World;

/// <summary>The factor classifier's targets: what CharacterWorld drew for each render, per factor head.</summary>
internal static class FactorLabels
{
    /// <summary>The true factor labels of normal renders, (N) int64 per factor name.</summary>
    public static Dictionary<string, Tensor> Of(CharacterWorld world, IReadOnlyList<RenderJob> jobs)
    {
        var values = FactorClassifier.Factors.ToDictionary(f => f.Name, _ => new long[jobs.Count]);
        for (int i = 0; i < jobs.Count; i++)
        {
            var factors = world.Factors(jobs[i].Identity, jobs[i].ImageIndex);
            values[CharacterWorldDataset.ClassWordLabel][i] = (long)world.Traits(jobs[i].Identity).ClassWord;
            values[CharacterWorldDataset.ExpressionLabel][i] = (long)factors.Expression;
            values[CharacterWorldDataset.HeadwearLabel][i] = (long)factors.Headwear;
            values[CharacterWorldDataset.ClothingLabel][i] = (long)factors.Clothing;
            values[CharacterWorldDataset.BackgroundLabel][i] = (long)factors.Background;
        }
        return values.ToDictionary(kv => kv.Key, kv => torch.tensor(kv.Value));
    }
}
