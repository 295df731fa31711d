using DiffusionLab.Data.World;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Evaluation.World;

/// <summary>Trains <see cref="FactorClassifier"/>: the sum of the five heads' cross-entropies on renders of the train identities.</summary>
public static class FactorClassifierTraining
{
    public static FactorClassifier Train(CharacterWorld world, JudgeTrainingOptions? options = null, Action<string>? log = null)
    {
        options ??= new JudgeTrainingOptions();
        options.Validate();
        var generator = new Generator((ulong)options.Seed);
        var model = new FactorClassifier();
        model.ResetParameters(generator);
        JudgeTrainingLoop.Run(world, options, generator, model.parameters(),
            train => { if (train) model.train(); else model.eval(); }, editParts: null,
            (images, jobs, _) =>
            {
                var labels = Labels(world, jobs);
                var logits = FactorClassifier.Split(model.forward(images)); // name → (B,classes)
                Tensor? total = null;
                foreach (var (name, _) in FactorClassifier.Factors)
                {
                    var ce = torch.nn.functional.cross_entropy(logits[name], labels[name]);
                    total = total is null ? ce : total + ce;
                }
                return total!;
            }, log, "factors");
        return model;
    }

    /// <summary>The true factor labels of normal renders, (N) int64 per factor name.</summary>
    internal static Dictionary<string, Tensor> Labels(CharacterWorld world, IReadOnlyList<RenderJob> jobs)
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
