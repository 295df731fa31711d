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
    public static int Run(Arguments args, TextWriter stdout)
    {
        int tensors = args.Int("tensors", 200);
        int numel = args.Int("numel", 1_000_000);
        int steps = args.Int("steps", 200), warmup = args.Int("warmup", 20);
        var device = DeviceOption.Parse(args.Option("device"));
        int threads = args.Int("threads", 0);
        string? output = args.Option("out");
        args.RejectUnknown();
        if (tensors < 1 || numel < tensors || steps < 1 || warmup < 0) throw new UsageException($"bench optimizer: --tensors {tensors} --numel {numel} --steps {steps}: expected 1 <= tensors <= numel, steps >= 1");
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
