using DiffusionLab.Core;
using DiffusionLab.Studies;
using DiffusionLab.Tests.Training;

namespace DiffusionLab.Tests.Studies;

/// <summary>A study arm that is another study's run (StudyRun.Shares): one run folder, read by both, configs checked equal.</summary>
public class SharedStudyRunTests
{
    private static string Studies(string ablationSet)
    {
        string dir = TinyRuns.TempDir("shared-run");
        Directory.CreateDirectory(Path.Combine(dir, "convergence"));
        Directory.CreateDirectory(Path.Combine(dir, "ablation"));
        File.WriteAllText(Path.Combine(dir, "convergence", "config.json"), TinyRuns.Json("DiT-Tiny/4", steps: 4));
        File.WriteAllText(Path.Combine(dir, "convergence", "study.json"), """
            { "Name": "convergence", "Seeds": [0, 1], "Baseline": "dit",
              "Runs": [ { "Name": "dit", "Config": "config.json" }, { "Name": "mdt", "Config": "config.json", "Set": ["Model.Preset=MDT-Tiny/4"] } ],
              "Scales": { "full": [], "smoke": ["Training.Steps=2"] } }
            """);
        File.WriteAllText(Path.Combine(dir, "ablation", "study.json"), $$"""
            { "Name": "ablation", "Seeds": [0, 1], "Baseline": "full",
              "Runs": [ { "Name": "full", "Config": "../convergence/config.json", "Set": [{{ablationSet}}], "Shares": "convergence/mdt" },
                        { "Name": "no-relbias", "Config": "../convergence/config.json", "Set": ["Model.Preset=MDT-Tiny/4", "Model.RelativePositionBias=false"] } ],
              "Scales": { "full": [], "smoke": ["Training.Steps=2"] } }
            """);
        return dir;
    }

    [Fact]
    public void A_shared_arm_reads_and_trains_the_other_studys_run_folder()
    {
        string dir = Studies("\"Model.Preset=MDT-Tiny/4\"");
        var spec = StudySpec.Load(Path.Combine(dir, "ablation"));
        var runner = new StudyRunner(spec, "smoke", TorchSharp.torch.CPU, "runs", TextWriter.Null);
        Assert.Equal(Path.Combine("runs", "convergence", "smoke", "mdt-seed1"), runner.Folder(spec.Runs[0], 1));
        Assert.Equal(Path.Combine("runs", "ablation", "smoke", "no-relbias-seed1"), runner.Folder(spec.Runs[1], 1));
        // A scale only this study names applies to the shared run as here.
        var notebook = spec.WithScale("live", ["Training.Steps=3"]);
        Assert.Equal(Path.Combine("runs", "convergence", "live", "mdt-seed0"), notebook.RunFolder("runs", notebook.Runs[0], 0, "live"));
    }

    [Fact]
    public void A_shared_arm_whose_config_differs_is_refused_naming_the_key()
    {
        string dir = Studies("\"Model.Preset=MDT-Tiny/4\", \"Optimizer.LearningRate=0.002\"");
        var spec = StudySpec.Load(Path.Combine(dir, "ablation"));
        var e = Assert.Throws<ConfigException>(() => spec.RunFolder("runs", spec.Runs[0], 0, "full"));
        const string expected = "run 'full' shares 'convergence/mdt', but at seed 0, scale 'full' their configs differ (Optimizer.LearningRate: 0.001 there, 0.002 here)";
        Assert.True(e.Message.Contains(expected), e.Message);
    }

    [Theory]
    [InlineData("convergence", "expected OTHER-STUDY/RUN")]
    [InlineData("nowhere/mdt", "no study")]
    [InlineData("convergence/mdtv9", "study 'convergence' has no run 'mdtv9'; expected one of dit, mdt")]
    public void A_bad_reference_is_named_when_the_study_loads(string shares, string expected)
    {
        string dir = Studies("\"Model.Preset=MDT-Tiny/4\"");
        string path = Path.Combine(dir, "ablation", "study.json");
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"convergence/mdt\"", $"\"{shares}\""));
        var e = Assert.Throws<ConfigException>(() => StudySpec.Load(Path.Combine(dir, "ablation")));
        Assert.Contains("key 'Shares'", e.Message);
        Assert.Contains(expected, e.Message);
    }
}
