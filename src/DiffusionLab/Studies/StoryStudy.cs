using System.Diagnostics;
using DiffusionLab.Data.World;
using DiffusionLab.Evaluation.World;
using DiffusionLab.Runs;
using DiffusionLab.StoryDiffusion;
using static TorchSharp.torch;

namespace DiffusionLab.Studies;

/// <summary>
/// Runs a <see cref="StoryStudySpec"/>: every study story with every seed by every method (no CSA, then CSA at each
/// rate), judged with the CharacterWorld judges. Also measures the judges' own scale on renders: the character
/// similarity of one person across images (what a perfectly consistent story scores) and of different people
/// in the same outfit (what matching clothes alone score).
/// </summary>
public static class StoryStudy
{
    public const string NoCsa = "no CSA";

    public static string MethodName(double? rate) => rate is { } r ? $"CSA {r.ToString("0.0##", System.Globalization.CultureInfo.InvariantCulture)}" : NoCsa;

    public static IReadOnlyList<StoryStudyRow> Run(TrainedModel trained, StoryStudySpec spec, CharacterWorldEvaluator judges, TextWriter log,
        Action<string, long, StudyStory, Story, StoryGeneration>? onGenerated = null)
    {
        var stories = StudyStory.Generate(spec.Stories, spec.PanelsPerStory, spec.StorySeed);
        var rows = new List<StoryStudyRow>();
        var methods = new double?[] { null }.Concat(spec.Rates.Select(r => (double?)r)).ToList();
        int done = 0, total = methods.Count * spec.Seeds.Length * stories.Count;
        foreach (var rate in methods)
        foreach (long seed in spec.Seeds)
        {
            var pipeline = StoryPipeline.FromRun(trained, spec.Steps, spec.Guidance, new ConsistentAttentionConfig { SamplingRate = rate ?? 0.5, Seed = seed });
            foreach (var study in stories)
            {
                var story = StoryParser.Parse(study.Text, study.Name);
                var clock = Stopwatch.StartNew();
                // Every panel of every arm from its own noise (as app.py's one generator stream): with one noise for all
                // panels (the low-VRAM app's reseed) the baseline's panels would look alike without any consistency mechanism.
                using var generation = pipeline.Generate(story, new StoryRenderOptions
                {
                    Seed = seed, ReferencePanels = spec.ReferencePanels, Consistent = rate is not null, PanelsReuseFirstSeed = false,
                });
                double seconds = clock.Elapsed.TotalSeconds / story.Panels.Count;
                rows.Add(Judge(MethodName(rate), seed, study, generation.Panels, judges, seconds));
                onGenerated?.Invoke(MethodName(rate), seed, study, story, generation);
                log.WriteLine($"[{++done}/{total}] {MethodName(rate)} seed {seed} {study.Name}: character similarity {rows[^1].CharacterSimilarity:F3}, prompt accuracy {rows[^1].PromptAccuracy:F3} ({seconds:F1} s/panel)");
            }
        }
        return rows;
    }

    /// <summary>The judges on one story's panels (P, 3, H, W).</summary>
    public static StoryStudyRow Judge(string method, long seed, StudyStory story, Tensor panels, CharacterWorldEvaluator judges, double secondsPerPanel)
    {
        var prompt = judges.PromptAccuracy(panels, story.Intended);
        return new StoryStudyRow(method, seed, story.Name, judges.IdentityConsistency(panels, Enumerable.Repeat(0, (int)panels.shape[0]).ToList()),
            prompt.Mean, prompt.PerFactor, judges.StructureValidity(panels), secondsPerPanel);
    }

    /// <summary>
    /// The judges' scale, on rendered (not generated) images of <paramref name="people"/> held-out people: mean character
    /// similarity of one person in <paramref name="panels"/> different images, and of <paramref name="panels"/> different
    /// people wearing the same shirt and headwear.
    /// </summary>
    public static (double SamePerson, double SameOutfit) RenderedScale(CharacterWorldEvaluator judges, int people, int panels, long seed)
    {
        using var world = new CharacterWorld();
        var heldOut = world.Identities(WorldSplit.HeldOut);
        var random = new Random((int)(seed & 0x7fffffff));
        double same = 0, outfit = 0;
        for (int p = 0; p < people; p++)
        {
            int identity = heldOut[random.Next(heldOut.Count)];
            using var one = stack(Enumerable.Range(0, panels).Select(i => world.Render(identity, i).ToTensor()).ToList());
            same += judges.IdentityConsistency(one, Enumerable.Repeat(0, panels).ToList());
            var look = world.Factors(identity, 0);
            using var many = stack(Enumerable.Range(0, panels).Select(i =>
            {
                int other = heldOut[random.Next(heldOut.Count)];
                return world.Render(other, world.Factors(other, i) with { Clothing = look.Clothing, Headwear = look.Headwear }).ToTensor();
            }).ToList());
            outfit += judges.IdentityConsistency(many, Enumerable.Repeat(0, panels).ToList());
        }
        return (same / people, outfit / people);
    }
}
