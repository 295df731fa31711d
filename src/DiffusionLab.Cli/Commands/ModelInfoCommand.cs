using System.CommandLine;
using DiffusionLab.Modules;
using DiffusionLab.Runs;
using TorchSharp;

namespace DiffusionLab.Cli.Commands;

/// <summary>`difflab model info PRESET [--set K=V] [--keys]`: parameter counts, forward GMACs, state-dict keys.</summary>
public static class ModelInfoCommand
{
    public static Command Definition()
    {
        var preset = new Argument<string>("PRESET") { HelpName = "PRESET", Description = "a model preset, e.g. MDTv2-S/2 or DiT-XL/2" };
        preset.CompletionSources.Add([.. DenoiserPresets.Names]);
        var overrides = CliOptions.Overrides("override a key of the preset's model config, e.g. DecodeLayer=6 or RelativePositionBias=false");
        var keys = new Option<bool>("--keys") { Description = "also print every state-dict key with its shape and dtype" };
        var info = new Command("info", "Parameter counts, forward GMACs and state-dict keys of a model preset") { preset, overrides, keys };
        info.SetAction(parse => Run(parse.GetRequiredValue(preset), parse.GetValue(overrides) ?? [], parse.GetValue(keys), parse.InvocationConfiguration.Output));
        return CommandGroup.Create("model", "Inspect model presets", info);
    }

    public static int Run(string preset, IReadOnlyList<string> overrides, bool keys, TextWriter stdout)
    {
        var config = TrainConfigLoader.ResolveModel(preset, overrides, $"model preset '{preset}'");

        using var model = DenoiserFactory.Create(config, torch.META);
        var state = model.state_dict();
        long total = model.parameters().Sum(p => p.numel());
        // Inference never runs the side-interpolator or uses the mask token (mdt.md §6).
        long inference = model.named_parameters()
            .Where(p => !p.name.StartsWith("sideblocks.", StringComparison.Ordinal) && p.name != "mask_token")
            .Sum(p => p.parameter.numel());
        stdout.WriteLine($"{preset}: {config.Architecture}, input {config.InChannels}×{config.InputSize}×{config.InputSize}, patch {config.PatchSize} ({config.NumTokens} tokens), hidden {config.HiddenSize}, depth {config.Depth}, heads {config.NumHeads}{(config.IsMasked ? $", decode_layer {config.DecodeLayer}, mask ratio [{config.MaskRatio}, {config.MaskRatioMax}]" : "")}");
        stdout.WriteLine($"parameters: {total:N0} (inference: {inference:N0})");
        stdout.WriteLine($"forward GMACs: {ForwardMacs.Inference(config) / 1e9:F2}");
        if (config.IsMasked)
            stdout.WriteLine($"masked-branch forward GMACs (training): {ForwardMacs.MaskedBranch(config, config.MaskRatio) / 1e9:F2} at mask ratio {config.MaskRatio}, {ForwardMacs.MaskedBranch(config, config.MaskRatioMax) / 1e9:F2} at {config.MaskRatioMax}");
        stdout.WriteLine($"state-dict entries: {state.Count}");
        if (keys)
            foreach (var (key, tensor) in state)
                stdout.WriteLine($"  {key} [{string.Join(", ", tensor.shape)}] {tensor.dtype}");
        return 0;
    }
}
