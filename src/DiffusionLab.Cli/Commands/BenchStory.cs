using System.CommandLine;
using System.Diagnostics;
using DiffusionLab.Mdt;
using DiffusionLab.Pipelines;
using DiffusionLab.Sampling;
using DiffusionLab.StoryDiffusion;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Cli.Commands;

/// <summary>
/// `difflab bench story PRESET --panels N --mode batch|bank`: time and peak memory of generating a story of N panels with consistent self-attention,
/// either all panels in one batch with mutual CSA ("batch", the paper's formulation) or the write/read
/// protocol ("bank": the first refs panels together writing a bank, then each other panel alone reading
/// it). Random weights and random prompts: the cost does not depend on what the network learned. Run one
/// configuration per process, since the CPU measure is the process's peak resident set.
/// </summary>
internal static class BenchStory
{
    public static Command Definition()
    {
        var preset = BenchCommand.PresetArgument("a text-to-image preset (e.g. MDTv2-T2I-Tiny/4), or a text-to-image run folder or checkpoint");
        var panels = CliOptions.RequiredInt("--panels", "N", "panels of the story");
        var mode = CliOptions.Choice("--mode", "batch: all panels in one batch with mutual consistent attention (the paper's); bank: reference panels write a bank, the others read it one by one", ["batch", "bank"]);
        mode.Required = true;
        var refs = CliOptions.Int("--refs", "K", "bank mode: reference panels generated together (at most --panels)", 2);
        var steps = CliOptions.Int("--steps", "S", "DDIM steps", 10);
        var rate = CliOptions.Number("--rate", "R", "consistent self-attention's sampling rate", 0.5, 0, 1);
        var overrides = CliOptions.Overrides("override a key of the preset's model config, e.g. HiddenSize=64");
        var device = DeviceOption.Create();
        var output = BenchCommand.OutputOption();
        var command = new Command("story", "Time and peak memory of a story of N panels with consistent self-attention (random weights and prompts)")
            { preset, panels, mode, refs, steps, rate, overrides, device, output };
        command.SetAction(parse => Run(parse.GetRequiredValue(preset), parse.GetValue(panels), parse.GetRequiredValue(mode), parse.GetValue(refs), parse.GetValue(steps),
            parse.GetValue(rate), parse.GetValue(overrides) ?? [], DeviceOption.Parse(parse.GetValue(device)), parse.GetValue(output), parse.InvocationConfiguration.Output));
        return command;
    }

    public static int Run(string preset, int panels, string mode, int refs, int steps, double rate, IReadOnlyList<string> overrides, Device device, string? output, TextWriter stdout)
    {
        refs = Math.Min(refs, panels);
        var run = BenchCommand.BenchConfig(preset, overrides, out var trained);
        using var _ = trained;
        var config = run.Model;
        if (!config.IsTextConditioned) throw new UsageException($"bench story: '{preset}' is class-conditional; expected a text preset such as MDTv2-T2I-Tiny/8");

        using var probe = new DeviceMemoryProbe(device.type == DeviceType.CUDA);
        torch.manual_seed(0);
        using var fresh = trained is null ? new MaskedDiffusionTransformer(config, device) : null;
        var model = fresh ?? trained!.Model.to(device);
        model.eval();
        var sampling = run.Sampling with { Sampler = SamplerKind.Ddim, Respacing = $"ddim{steps}", Eta = 0, GuidanceScale = 5.0, GuidancePower = null, GuidedChannels = GuidedChannels.All };
        var sampler = new ConsistentStorySampler(new SamplingPipeline(model, run with { Sampling = sampling }), new ConsistentAttentionConfig { SamplingRate = rate });
        var prompts = BenchCommand.RandomConditions(config, panels, includeNull: false);
        long bankBytes = 0;
        var clock = Stopwatch.StartNew();
        if (mode == "batch") sampler.GenerateTogether(prompts, Enumerable.Range(0, panels).Select(i => (long)i).ToList()).Dispose();
        else
        {
            using var bank = new CharacterBank("bench");
            sampler.GenerateReferences(prompts[..refs], Enumerable.Range(0, refs).Select(i => (long)i).ToList(), bank).Dispose();
            for (int i = refs; i < panels; i++) sampler.GeneratePanels(prompts[i..(i + 1)], [0], [bank]).Dispose();
            bankBytes = bank.Bytes;
        }
        BenchCommand.Synchronize(device);
        double seconds = clock.Elapsed.TotalSeconds;
        var line = new Dictionary<string, object?>
        {
            ["bench"] = "story", ["preset"] = preset, ["mode"] = mode, ["panels"] = panels, ["refs"] = mode == "bank" ? refs : null,
            ["rate"] = rate, ["ddim_steps"] = steps, ["device"] = DeviceDescription.Of(device), ["date"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ"),
            ["seconds"] = Math.Round(seconds, 3), ["seconds_per_panel"] = Math.Round(seconds / panels, 3), ["bank_bytes"] = bankBytes,
            ["peak_memory_bytes"] = probe.PeakBytes, ["peak_memory_source"] = probe.Source,
        };
        BenchCommand.WriteLine(line, stdout, output);
        return 0;
    }
}
