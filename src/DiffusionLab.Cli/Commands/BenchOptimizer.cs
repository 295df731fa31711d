using System.Diagnostics;
using DiffusionLab.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionLab.Cli.Commands;

/// <summary>
/// `difflab bench optimizer --tensors N --numel M`: the cost of the work between backward and the next forward (zero
/// the gradients, clip by the global norm, one AdamW update, one EMA update) for a model of N parameter tensors holding
/// M values in all, with our flat buffers and, as the per-tensor contrast, TorchSharp's torch.optim.AdamW plus a
/// per-tensor norm and lerp. Launches per step are constant for the first and grow with N for the second, so the
/// first's time should not move from 10 to 200 tensors at the same M.
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
            var ema = parameters.Select(p => p.Item2.detach().clone()).ToList();
            Action step;
            if (kind == "flat")
            {
                var optimizer = new DiffusionLab.Training.AdamW(parameters, 1e-4);
                var average = new ExponentialMovingAverage([.. optimizer.Buffers.Select(b => (b.Values.detach().clone(), b.Values))], 0.9999);
                foreach (var b in optimizer.Buffers) b.Grads.normal_();
                step = () =>
                {
                    using var scope = torch.NewDisposeScope();
                    GradientClipping.ClipByGlobalNorm(optimizer.Buffers.Select(b => b.Grads).ToList(), 1.0);
                    optimizer.Step();
                    average.Update(optimizer.StepCount);
                };
            }
            else
            {
                var optimizer = torch.optim.AdamW(parameters.Select(p => p.Item2), 1e-4);
                foreach (var (_, p) in parameters) p.grad = torch.randn_like(p);
                step = () =>
                {
                    using var scope = torch.NewDisposeScope();
                    using (torch.no_grad())
                    {
                        var norm = torch.stack(parameters.Select(p => p.Item2.grad!.norm()).ToArray()).norm();
                        var coefficient = (1.0 / (norm + 1e-6)).clamp_max(1.0);
                        foreach (var (_, p) in parameters) p.grad!.mul_(coefficient);
                    }
                    optimizer.step();
                    using (torch.no_grad()) for (int i = 0; i < ema.Count; i++) ema[i].lerp_(parameters[i].Item2, 1 - 0.9999);
                };
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
