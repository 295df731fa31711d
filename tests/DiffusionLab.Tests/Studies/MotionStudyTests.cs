using DiffusionLab.Core;
using DiffusionLab.Evaluation.World;
using DiffusionLab.StoryDiffusion;
using DiffusionLab.Studies;
using DiffusionLab.Tests.Cli;
using DiffusionLab.Tests.Notebooks;
using DiffusionLab.Tests.PhotoMaker;
using DiffusionLab.Tests.StoryDiffusion;
using DiffusionLab.Tests.Training;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.Studies;

/// <summary>
/// The motion study: the committed spec's smoke scale end to end on tiny models (the shared 16×16 base, tiny motion configs
/// of the committed names, random-weight judges), and the spec's errors.
/// </summary>
public class MotionStudyTests
{
    private static readonly Lazy<string> Judges = new(() =>
    {
        string dir = TinyRuns.TempDir("motion-study-judges");
        using (var m = new IdentityEmbedder()) m.SaveWeights(Path.Combine(dir, CharacterWorldEvaluator.IdentityWeightsFile));
        using (var m = new FactorClassifier()) m.SaveWeights(Path.Combine(dir, CharacterWorldEvaluator.FactorWeightsFile));
        using (var m = new StructureChecker()) m.SaveWeights(Path.Combine(dir, CharacterWorldEvaluator.StructureWeightsFile));
        return dir;
    });

    private static string Committed(string file) => Path.Combine(NotebookRuns.RepositoryRoot(), "experiments", "motion-characterworld", file);

    /// <summary>A study folder: the committed motion-study.json beside tiny configs of the same names on the tiny base.</summary>
    private static string StudyFolder(string name)
    {
        string dir = Path.Combine(TinyRuns.TempDir(name), "motion-characterworld");
        Directory.CreateDirectory(dir);
        File.Copy(Committed(MotionStudySpec.FileName), Path.Combine(dir, MotionStudySpec.FileName));
        string baseRun = TinyPhotoMakerRuns.BaseRun.Value;
        File.WriteAllText(Path.Combine(dir, "motion.json"), TinyMotionRuns.FileJson(baseRun, steps: 2000));
        File.WriteAllText(Path.Combine(dir, "no-predictor.json"), TinyMotionRuns.FileJson(baseRun, steps: 2000).Replace("\"Frames\": 4,", "\"Frames\": 4, \"UsePredictor\": false,"));
        return dir;
    }

    [Fact]
    public void TheSmokeScaleRunsEndToEndAndReportsEveryMethodAndMeasure()
    {
        string study = StudyFolder("motion-study-e2e");
        string root = Path.GetDirectoryName(study)!, runs = Path.Combine(root, "runs"), results = Path.Combine(root, "results");
        var (code, output, err) = CliHarness.Difflab("study", "motion", study, "--scale", "smoke", "--device", "cpu", "--runs", runs, "--results", results, "--judges", Judges.Value);
        Assert.True(code == 0, $"exit {code}\n{err}\n{output}");

        var spec = MotionStudySpec.Load(study, "smoke");
        foreach (var file in new[] { "README.md", "metrics.csv", "table.html", "spec.json", "samples/sheet.png" })
            Assert.True(File.Exists(Path.Combine(results, file)), file);
        var methods = Enum.GetValues<MotionStudyMethod>().Select(MotionStudy.Label).Prepend(MotionStudy.GroundTruth).ToList();
        foreach (var method in methods) Assert.True(File.Exists(Path.Combine(results, "samples", MotionStudy.Slug(method) + "-1.gif")), method);

        // One row per clip: 2 people × 2 sizes × 2 seeds per method; the ground truth once per pair.
        var lines = File.ReadAllLines(Path.Combine(results, "metrics.csv"));
        var count = lines.Skip(1).GroupBy(l => l.Split(',')[0]).ToDictionary(g => g.Key, g => g.Count());
        int units = spec.People * spec.MotionSizes.Length;
        Assert.Equal(units, count[MotionStudy.GroundTruth]);
        foreach (var method in methods.Skip(1)) Assert.Equal(units * spec.Seeds.Length, count[method]);
        Assert.All(lines.Skip(1), l => Assert.Equal(4, l.Split(',')[^2].Length)); // valid_per_frame: one digit per frame (L = 4)
        // The embedding error: finite for every method that conditions on per-frame embeddings, undefined for the others.
        int column = Array.IndexOf(lines[0].Split(','), "embedding_error");
        Assert.True(column > 0, lines[0]);
        foreach (var line in lines.Skip(1).Select(l => l.Split(',')))
        {
            bool conditioned = new[] { MotionStudyMethod.Predictor, MotionStudyMethod.Interpolated, MotionStudyMethod.CrossFade }.Select(MotionStudy.Label).Contains(line[0]);
            Assert.True(conditioned == double.IsFinite(double.Parse(line[column], System.Globalization.CultureInfo.InvariantCulture)), string.Join(",", line));
        }

        string table = File.ReadAllText(Path.Combine(results, "table.html"));
        foreach (var method in methods) Assert.Contains($"<td>{System.Net.WebUtility.HtmlEncode(method)}</td>", table);
        string readme = File.ReadAllText(Path.Combine(results, "README.md"));
        foreach (var part in new[] { "difflab study motion", "git revision", "## Measures", "## By motion size", "## Valid faces per frame position", "## Paired differences against the predictor", "## Reading", "peak MB" })
            Assert.Contains(part, readme);
        Assert.Equal(2, output.Split('\n').Count(l => l.Contains("training 2 steps")));

        // Run again: both arms are finished and skipped.
        (code, output, err) = CliHarness.Difflab("study", "motion", study, "--scale", "smoke", "--device", "cpu", "--runs", runs, "--results", results, "--judges", Judges.Value);
        Assert.True(code == 0, $"exit {code}\n{err}\n{output}");
        Assert.Equal(2, output.Split('\n').Count(l => l.Contains("finished at step 2, skipped")));
    }

    [Fact]
    public void TheEmbeddingErrorIsZeroOnTheTrueFramesAndCountsOnlyTheMiddleFrames()
    {
        using var pipeline = TransitionPipeline.Load(TinyMotionRuns.Run.Value);
        var model = pipeline.Model;
        var truth = rand(new long[] { 4, 3, 16, 16 }, generator: new TorchSharp.torch.Generator(5)) * 2 - 1;   // (L, 3, S, S)
        using var noGrad = no_grad();
        var own = model.Encoder.Encode(truth);                                                                  // (L, N, E)
        Assert.Equal(0.0, MotionStudy.EmbeddingError(model, own, truth));

        // Changing the end frames' embeddings changes nothing; changing a middle frame's by 1 everywhere adds 1 / (L − 2).
        var shifted = own.clone();
        shifted[0] += 5;
        shifted[3] -= 5;
        Assert.Equal(0.0, MotionStudy.EmbeddingError(model, shifted, truth));
        shifted[1] += 1;
        Assert.Equal(0.5, MotionStudy.EmbeddingError(model, shifted, truth), 5);

        var interpolated = MotionPredictor.Interpolate(own[0].unsqueeze(0), own[3].unsqueeze(0), 4)[0];        // (L, N, E)
        Assert.True(MotionStudy.EmbeddingError(model, interpolated, truth) > 0, "random middle frames are not the interpolation of the ends");
        Assert.Throws<ArgumentException>(() => MotionStudy.EmbeddingError(model, own.narrow(0, 0, 3), truth));
    }

    [Fact]
    public void TheSpecNamesItsBadKeys()
    {
        string study = StudyFolder("motion-study-bad");
        var e = Assert.Throws<ConfigException>(() => MotionStudySpec.Load(study, "huge"));
        Assert.Contains("scale 'huge' unknown", e.Message);
        File.Copy(Path.Combine(study, "motion.json"), Path.Combine(study, "no-predictor.json"), overwrite: true);
        var spec = MotionStudySpec.Load(study, "smoke");
        e = Assert.Throws<ConfigException>(() => new MotionStudy(spec, CPU, Path.Combine(study, "runs"), TextWriter.Null, judgesFolder: Judges.Value));
        Assert.Contains("'NoPredictorConfig'", e.Message);
        File.WriteAllText(Path.Combine(study, MotionStudySpec.FileName), File.ReadAllText(Committed(MotionStudySpec.FileName)).Replace("\"People\": 8", "\"People\": 0"));
        e = Assert.Throws<ConfigException>(() => MotionStudySpec.Load(study));
        Assert.Contains("'People': 0", e.Message);
    }

    [Fact]
    public void TheCrossFadeJoinsTheKeyframesLinearly()
    {
        var start = -ones(3, 4, 4);
        var end = ones(3, 4, 4);
        var clip = MotionStudy.CrossFade(start, end, 5);
        Assert.Equal(new long[] { 5, 3, 4, 4 }, clip.shape);
        Assert.True(clip[0].equal(start).all().item<bool>() && clip[4].equal(end).all().item<bool>());
        Assert.Equal(0.0, clip[2].mean().item<float>(), 6);
    }
}
