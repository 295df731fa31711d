using DiffusionLab.Core;
using DiffusionLab.Runs;

namespace DiffusionLab.PhotoMaker;

/// <summary>
/// Exports a PhotoMaker stage as a shipped model (<see cref="ModelExport"/>): its trained weights (ID encoder and
/// adapters, EMA unless raw) in bf16, its config with BaseCheckpoint rewritten to the zoo name of its base, and
/// provenance naming that base. The base must already be in the same zoo, exported from the checkpoint the stage
/// trained on (same step, and the weights the stage's BaseUseEma reads), so the shipped pair samples as the run did.
/// </summary>
public static class PhotoMakerExport
{
    public static ShippedModel Export(string runOrCheckpoint, string name, ModelZoo zoo, bool raw, string baseName, ExportOrigin origin)
    {
        var target = zoo.Place(name);
        string path = ModelExport.SourceCheckpoint(runOrCheckpoint);
        var checkpoint = PhotoMakerCheckpoint.Load(path);
        try
        {
            if (checkpoint.IsLegacy) throw new ConfigException($"PhotoMaker checkpoint '{path}': written before the one trainer; retrain the stage to ship it");
            var config = checkpoint.Config(path);
            var baseModel = zoo.Find(baseName);
            var baseHeader = baseModel.Header();
            var baseProvenance = baseModel.Provenance();
            if (baseHeader.Kind != ShippedModelKind.TextToImage)
                throw new ConfigException($"--base {baseModel.ZooName}: a {ShippedWeights.KindName(baseHeader.Kind)} model; a PhotoMaker stage's base is text-to-image");
            if (ModelZoo.IsZooName(checkpoint.BaseCheckpoint) && checkpoint.BaseCheckpoint != baseModel.ZooName)
                throw new ConfigException($"--base {baseModel.ZooName}: the stage trained on the shipped {checkpoint.BaseCheckpoint}; name that one");
            if (baseHeader.Step != checkpoint.BaseStep)
                throw new ConfigException($"--base {baseModel.ZooName}: exported from step {baseHeader.Step} ({baseProvenance.SourceCheckpoint}), but the stage trained on step {checkpoint.BaseStep} ({checkpoint.BaseCheckpoint})");
            if (baseHeader.IsEma != config.BaseUseEma)
                throw new ConfigException($"--base {baseModel.ZooName}: ships {(baseHeader.IsEma ? "EMA" : "raw")} weights, but the stage trained on the base's {(config.BaseUseEma ? "EMA" : "raw")} ones (BaseUseEma={config.BaseUseEma})");
            var weights = ModelExport.Weights(checkpoint.Weights, checkpoint.Ema, raw, path);
            var shipped = new ShippedWeights(TrainingStage.PhotoMaker, ShippedModelKind.PhotoMaker, checkpoint.Step ?? 0, !raw,
                (config with { BaseCheckpoint = baseModel.ZooName }).ToJson(), weights, baseModel.ZooName, checkpoint.BaseStep);
            var provenance = new ModelProvenance(ShippedWeights.KindName(ShippedModelKind.PhotoMaker), baseProvenance.Preset, origin.Command, origin.GitRevision, origin.Device,
                DateTime.UtcNow, path, checkpoint.Step ?? 0, raw ? "raw" : "ema", baseModel.ZooName, ModelExport.JudgedMetrics(path, checkpoint.Step ?? 0));
            return ModelExport.Write(target, shipped, tokenizerFile: null, provenance);
        }
        finally
        {
            foreach (var t in checkpoint.Weights.Values.Concat((IEnumerable<TorchSharp.torch.Tensor>?)checkpoint.Ema?.Values ?? [])) t.Dispose();
        }
    }
}
