using DiffusionLab.Modules;
using DiffusionLab.Runs;
using TorchSharp;

namespace DiffusionLab.Cli.Commands;

/// <summary>`difflab model info PRESET [--set K=V] [--keys]`: parameter counts, forward GMACs, state-dict keys.</summary>
public static class ModelInfoCommand
{
    public static int Run(string[] argv, TextWriter stdout)
    {
        var args = new Arguments(argv, new HashSet<string> { "keys" });
        if (args.Positional.Count < 2 || args.Positional[0] != "info")
            throw new UsageException("model: expected `difflab model info PRESET [--set Key=Value ...] [--keys]`");
        string preset = args.Positional[1];
        var config = TrainConfigLoader.ResolveModel(preset, args.All("set"), $"model preset '{preset}'");
        bool keys = args.Flag("keys");
        args.RejectUnknown();

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
