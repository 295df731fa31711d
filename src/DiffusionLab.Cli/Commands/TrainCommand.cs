using DiffusionLab.Training;

namespace DiffusionLab.Cli.Commands;

/// <summary>`difflab train CONFIG.json`: trains into a run folder, resuming it when it already has a checkpoint.</summary>
public static class TrainCommand
{
    public static int Run(string[] argv, TextWriter stdout)
    {
        var args = new Arguments(argv, new HashSet<string>());
        string configPath = args.Positional1("CONFIG.json");
        var config = TrainConfigLoader.Load(configPath, args.All("set"));
        string output = args.Option("out") ?? Path.Combine("runs", Path.GetFileNameWithoutExtension(configPath));
        var device = DeviceOption.Parse(args.Option("device"));
        args.RejectUnknown();

        stdout.WriteLine($"training {config.ModelPreset} on {config.Data.Dataset} for {config.Training.Steps} steps on {device.type} -> {Path.GetFullPath(output)}");
        var progress = new TrainingProgress(stdout, !Console.IsOutputRedirected && stdout == Console.Out, config.Training.Steps, 0, config.Training.LogEvery);
        using var trainer = new Trainer(config, output, device, progress);
        using var stop = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; stop.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try { trainer.Train(cancellation: stop.Token); }
        finally { Console.CancelKeyPress -= onCancel; }
        if (stop.IsCancellationRequested)
        {
            stdout.WriteLine($"stopped at step {trainer.Step}; checkpoint written. Run the same command again to resume.");
            return 130;
        }
        stdout.WriteLine($"done: {trainer.Run.Path} (step {trainer.Step}; metrics.jsonl, samples/, checkpoints/, loss.png)");
        return 0;
    }
}
