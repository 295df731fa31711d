using DiffusionLab.Data.World;

namespace DiffusionLab.Evaluation.World;

/// <summary>One image a judge trains or is measured on: an identity, an image index and the face parts drawn.</summary>
internal readonly record struct RenderJob(int Identity, int ImageIndex, FaceParts Parts);
