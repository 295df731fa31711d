using DiffusionLab.Core;
using DiffusionLab.Runs;
using DiffusionLab.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Studies;

/// <summary>
/// Trains every run × seed of a study into <c>runsRoot/&lt;study&gt;/&lt;scale&gt;/&lt;run&gt;-seed&lt;s&gt;</c>.
/// Finished runs (evaluated at their last step) are skipped and interrupted ones resume, so the
/// command can be repeated until everything is done.
/// </summary>
public sealed class StudyRunner(StudySpec spec, string scale, Device device, string runsRoot, TextWriter log)
{
    public string Folder(StudyRun run, long seed) => spec.RunFolder(runsRoot, run, seed, scale);

    /// <summary>Every (run, seed, folder) of the study, in order.</summary>
    public IReadOnlyList<(string Run, long Seed, string Folder)> Plan() =>
        spec.Runs.SelectMany(r => spec.Seeds.Select(s => (r.Name, s, Folder(r, s)))).ToList();

    /// <summary>
    /// The part of the study that is finished, for an interim report while the rest trains: every finished run × seed
    /// whose seed's baseline run is finished too (so each can be paired with it), as the study narrowed to those runs
    /// and seeds, the finished folders, the run × seeds taken from an earlier report instead (those of
    /// <paramref name="earlier"/> without a finished folder here), and every run × seed of the whole study left out.
    /// </summary>
    public (StudySpec Finished, IReadOnlyList<(string Run, long Seed, string Folder)> Folders, IReadOnlyList<(string Run, long Seed)> Carried,
        IReadOnlyList<(string Run, long Seed)> Pending) FinishedPart(IReadOnlyCollection<(string Run, long Seed)>? earlier = null)
    {
        var plan = Plan();
        var done = plan.Where(p => IsFinished(p.Folder, spec.Config(spec.Runs.Single(r => r.Name == p.Run), p.Seed, scale))).ToList();
        var carried = plan.Select(p => (p.Run, p.Seed)).Where(p => earlier?.Contains(p) == true && !done.Any(d => d.Run == p.Run && d.Seed == p.Seed)).ToList();
        var seeds = spec.Seeds.Where(s => done.Any(d => d.Run == spec.Baseline && d.Seed == s) || carried.Contains((spec.Baseline, s))).ToList();
        if (seeds.Count == 0)
            throw new ConfigException($"study '{spec.Name}': no seed of the baseline run '{spec.Baseline}' is finished under '{Path.Combine(runsRoot, spec.Name, scale)}'{(earlier is null ? "" : " or in the earlier report")}; expected at least one for an interim report");
        var folders = done.Where(d => seeds.Contains(d.Seed)).ToList();
        carried = carried.Where(c => seeds.Contains(c.Seed)).ToList();
        var runs = spec.Runs.Select(r => r.Name).Where(r => folders.Any(f => f.Run == r) || carried.Any(c => c.Run == r)).ToList();
        var pending = plan.Where(p => !folders.Contains(p) && !carried.Contains((p.Run, p.Seed))).Select(p => (p.Run, p.Seed)).ToList();
        return (spec.Select(runs, seeds), folders, carried, pending);
    }

    /// <param name="cancellation">Stops training after a checkpoint.</param>
    /// <param name="carried">Run × seeds an earlier report has (<see cref="EarlierStudyReport"/>): not trained again.</param>
    public IReadOnlyList<(string Run, long Seed, string Folder)> RunAll(CancellationToken cancellation = default, IReadOnlyCollection<(string Run, long Seed)>? carried = null)
    {
        int index = 0, total = spec.Runs.Length * spec.Seeds.Length;
        foreach (var run in spec.Runs)
        foreach (long seed in spec.Seeds)
        {
            index++;
            cancellation.ThrowIfCancellationRequested();
            var config = spec.Config(run, seed, scale);
            string folder = Folder(run, seed);
            if (IsFinished(folder, config))
            {
                log.WriteLine($"[{index}/{total}] {run.Name} seed {seed}: finished, skipped ({folder})");
                continue;
            }
            if (carried?.Contains((run.Name, seed)) == true)
            {
                log.WriteLine($"[{index}/{total}] {run.Name} seed {seed}: in the earlier report, skipped");
                continue;
            }
            log.WriteLine($"[{index}/{total}] {run.Name} seed {seed}: training {config.ModelPreset} for {config.Training.Steps} steps -> {folder}");
            var progress = new TrainingProgress(log, ReferenceEquals(log, Console.Out) && !Console.IsOutputRedirected, config.Training.Steps, 0, config.Training.LogEvery,
                $"{run.Name} seed {seed}");
            using var trainer = new DenoiserTraining(config, folder, device, progress);
            trainer.Train(cancellation: cancellation);
            cancellation.ThrowIfCancellationRequested();
            // A run stopped between its last step and its final evaluation resumes here with nothing to train.
            if (!IsFinished(folder, config) && trainer.Step == config.Training.Steps) trainer.Evaluate();
        }
        return Plan();
    }

    public static bool IsFinished(string folder, TrainConfig config) =>
        new MetricsLog(new RunFolder(folder).MetricsFile).ReadAll().Any(r => r.ContainsKey("fd") && (long)r["step"] == config.Training.Steps);
}
