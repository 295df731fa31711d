using System.Text.Json;
using System.Text.Json.Nodes;
using DiffusionLab.Evaluation;
using DiffusionLab.Evaluation.World;
using DiffusionLab.Runs;
using DiffusionLab.Tests.Cli;
using DiffusionLab.Tests.PhotoMaker;
using DiffusionLab.Tests.Training;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.Evaluation;

public class CharacterWorldProbeTests
{
    [Fact]
    public void TheCleanRowIsTheRendersAndEachTimestepJudgesTheOneStepEstimate()
    {
        // An untrained 32-px text-to-image model: the t = 0 row does not involve it (the renders themselves), the
        // others are its x̂_0; the judges read 32-px renders as they read samples (valid faces 96 % on held-out ones).
        var config = TrainConfigLoader.FromJson(JsonNode.Parse(TinyPhotoMakerRuns.BaseJson.Replace("\"InputSize\": 16", "\"InputSize\": 32"))!.AsObject(), "probe.json");
        using var model = DenoiserFactory.Create(config.Model);
        using var judges = CharacterWorldEvaluator.LoadDefault();
        using var result = CharacterWorldProbe.Run(model, config, judges, CPU, [50, 900], images: 12);

        Assert.Equal([0, 50, 900], result.Rows.Select(r => r.Timestep));
        var clean = result.Rows[0];
        Assert.Equal(0, clean.X0Mse);
        Assert.True(clean.ValidFaces >= 0.75, $"renders judged valid {clean.ValidFaces}");
        Assert.True(clean.PromptAccuracy >= 0.8, $"renders' prompt accuracy {clean.PromptAccuracy}");
        Assert.Equal(["background", "class_word", "clothing", "expression", "headwear"], clean.PerFactor.Keys.Order());
        // adaLN-Zero: an untrained network predicts ε̂ = 0, so x̂_0 = x_t / √ᾱ, further from the render as t grows.
        Assert.True(result.Rows[1].X0Mse > 0 && result.Rows[2].X0Mse > result.Rows[1].X0Mse, string.Join(", ", result.Rows.Select(r => r.X0Mse)));
        Assert.True(result.Rows[2].ValidFaces < clean.ValidFaces);
        // The figure: 8 columns at most (here the 12 images' first 8): the clean row, then x_t and x̂_0 per t.
        Assert.Equal([(1 + 2 * 2) * 8L, 3, 32, 32], result.Figure.shape);
    }

    [Fact]
    public void AClassConditionalModelIsRefused()
    {
        using var model = DenoiserFactory.Create(TinyRuns.Config("DiT-Tiny/4").Model);
        using var judges = CharacterWorldEvaluator.LoadDefault();
        var e = Assert.Throws<ArgumentException>(() => CharacterWorldProbe.Run(model, TinyRuns.Config("DiT-Tiny/4"), judges, CPU));
        Assert.Contains("text-to-image CharacterWorld", e.Message);
    }

    [Fact]
    public void EvaluateProbeOnATextToImageRunPrintsARowPerTimestepAndWritesTheFigure()
    {
        string figure = Path.Combine(TinyRuns.TempDir("cw-probe"), "probe.png");
        var (code, stdout, stderr) = CliHarness.Difflab("evaluate", TinyPhotoMakerRuns.BaseRun.Value, "--probe", figure, "--device", "cpu");
        Assert.True(code == 0, stderr + stdout);
        var rows = stdout.Split('\n').Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal([0, 50, 200, 400, 600, 800, 950], rows.Select(r => r.GetProperty("t").GetInt32()));
        Assert.All(rows, r => Assert.InRange(r.GetProperty("valid_faces").GetDouble(), 0, 1));
        Assert.All(rows, r => Assert.Equal(200, r.GetProperty("images").GetInt32()));
        Assert.True(new FileInfo(figure).Length > 100);
        Assert.Contains("probe figure:", stdout);
    }
}
