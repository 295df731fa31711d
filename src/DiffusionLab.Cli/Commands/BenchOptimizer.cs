using System.CommandLine;
using System.Diagnostics;
using DiffusionLab.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionLab.Cli.Commands;

/// <summary>
/// `difflab bench optimizer --tensors N --numel M`: the cost of the work between backward and the next forward (zero
/// the gradients, clip by the global norm, one AdamW update, one EMA update) for a model of N parameter tensors holding
/// M values in all, with one flat buffer for all tensors (how the trainer lays them out) and, as the per-tensor
/// contrast, the same optimizer, clipping and EMA over one buffer per tensor. Launches per step are constant for the
/// first and grow with N for the second, so the first's time should not move from 10 to 200 tensors at the same M.
/// </summary>
internal static class BenchOptimizer
{
    public static Command Definition()
    {
        var tensors = CliOptions.Int("--tensors", "N", "parameter tensors", 200);
        var numel = CliOptions.Int("--numel", "M", "values in all tensors together (at least N)", 1_000_000);
        var steps = CliOptions.Int("--steps", "S", "measured steps", 200);
        var warmup = CliOptions.Int("--warmup", "W", "steps before the measurement", 20, min: 0);
        var threads = CliOptions.Int("--threads", "T", "libtorch's CPU threads (0: libtorch's default)", 0, min: 0);
        var device = DeviceOption.Create();
        var output = BenchCommand.OutputOption();
        var command = new Command("optimizer", "The step between backward and the next forward (zero grads, clip, AdamW, EMA) over one flat buffer and over one buffer per tensor")
            { tensors, numel, steps, warmup, threads, device, output };
        command.Validators.Add(r =>
        {
            if (r.GetValue(numel) < r.GetValue(tensors)) r.AddError($"bench optimizer: --tensors {r.GetValue(tensors)} --numel {r.GetValue(numel)}: expected 1 <= tensors <= numel");
        });
        command.SetAction(parse => Run(parse.GetValue(tensors), parse.GetValue(numel), parse.GetValue(steps), parse.GetValue(warmup), parse.GetValue(threads),
            DeviceOption.Parse(parse.GetValue(device)), parse.GetValue(output), parse.InvocationConfiguration.Output));
        return command;
    }

    public static int Run(int tensors, int numel, int steps, int warmup, int threads, Device device, string? output, TextWriter stdout)
    {
        if (threads > 0) torch.set_num_threads(threads);

        foreach (string kind in new[] { "flat", "per-tensor" })
        {
            var parameters = Enumerable.Range(0, tensors).Select(i => ($"p{i}", new Parameter(torch.randn(numel / tensors, device: device)))).ToList();
            // The same code either way: only the layout differs (one buffer for all tensors, or one per tensor).
            var optimizers = kind == "flat" ? [new DiffusionLab.Training.AdamW(parameters, 1e-4)] : parameters.Select(p => new DiffusionLab.Training.AdamW([p], 1e-4)).ToList();
            var buffers = optimizers.SelectMany(o => o.Buffers).ToList();
            var average = new ExponentialMovingAverage([.. buffers.Select(b => (b.Values.detach().clone(), b.Values))], 0.9999);
            foreach (var b in buffers) b.Grads.normal_();
            var grads = buffers.Select(b => b.Grads).ToList();
            void step()
            {
                using var scope = torch.NewDisposeScope();
                GradientClipping.ClipByGlobalNorm(grads, 1.0);
                foreach (var o in optimizers) o.Step();
                average.Update(optimizers[0].StepCount);
            }
            for (int i = 0; i < warmup; i++) step();
            if (device.type == DeviceType.CUDA) torch.cuda.synchronize();
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < steps; i++) step();
            if (device.type == DeviceType.CUDA) torch.cuda.synchronize();
            double seconds = clock.Elapsed.TotalSeconds;
            BenchCommand.WriteLine(new Dictionary<string, object?>
            {
                ["bench"] = "optimizer", ["kind"] = kind, ["tensors"] = tensors, ["numel"] = numel / tensors * tensors, ["steps"] = steps,
                ["device"] = DeviceDescription.Of(device), ["date"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ"),
                ["microseconds_per_step"] = Math.Round(seconds / steps * 1e6, 1),
            }, stdout, output);
        }
        return 0;
    }
}
