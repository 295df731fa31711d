using DiffusionLab.Core;
using DiffusionLab.Runs;

namespace DiffusionLab.PhotoMaker;

/// <summary>
/// Exports a PhotoMaker stage as a shipped model (<see cref="StageExport"/>): its trained weights (ID encoder and
/// adapters, EMA unless raw) and its config naming its base by zoo name.
/// </summary>
public static class PhotoMakerExport
{
    public static ShippedModel Export(string runOrCheckpoint, string name, ModelZoo zoo, bool raw, string baseName, ExportOrigin origin)
    {
        string path = ModelExport.SourceCheckpoint(runOrCheckpoint);
        var checkpoint = PhotoMakerCheckpoint.Load(path);
        try
        {
            if (checkpoint.IsLegacy) throw new ConfigException($"PhotoMaker checkpoint '{path}': written before the one trainer; retrain the stage to ship it");
            var config = checkpoint.Config(path);
            var source = new StageExportSource(TrainingStage.PhotoMaker, ShippedModelKind.PhotoMaker, path, checkpoint.Step ?? 0,
                checkpoint.BaseCheckpoint, checkpoint.BaseStep, config.BaseUseEma, ModelExport.Weights(checkpoint.Weights, checkpoint.Ema, raw, path),
                zooBase => (config with { BaseCheckpoint = zooBase }).ToJson());
            return StageExport.Export(source, name, zoo, raw, baseName, origin);
        }
        finally
        {
            foreach (var t in checkpoint.Weights.Values.Concat((IEnumerable<TorchSharp.torch.Tensor>?)checkpoint.Ema?.Values ?? [])) t.Dispose();
        }
    }
}
