//! Vision encoders and projectors of multimodal checkpoints (`…ForConditionalGeneration`):
//! vLLM, SGLang and transformers load them beside the language model, so their weights count.
//! Parameter counts follow each family's modelling code (shapes, biases, norms, position
//! tables); the published totals they reproduce are pinned in the tests.

use super::fields::{get, uint};
use crate::error::ConfigError;
use crate::json::{Map, Value};
use crate::units::{add, mul};

/// A vision family whose tower the planner counts.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum VisionFamily {
    /// SigLIP + `Gemma3MultiModalProjector` (transformers `modeling_siglip.py`,
    /// `modeling_gemma3.py`).
    Gemma3,
    /// Pixtral + `Mistral3MultiModalProjector` with its patch merger (`modeling_pixtral.py`,
    /// `modeling_mistral3.py`).
    Pixtral,
    /// `Llama4VisionModel` + `Llama4MultiModalProjector` (`modeling_llama4.py`).
    Llama4,
    /// `Qwen2_5_VisionTransformerPretrainedModel` with its merger (`modeling_qwen2_5_vl.py`).
    Qwen25Vl,
    /// A `vision_config` of a family not modelled here: the language model is planned and the
    /// plan says the encoder is not counted.
    Unmodelled,
}

/// A multimodal checkpoint's vision tower.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct VisionTower {
    /// Which modelling code the count follows.
    pub family: VisionFamily,
    /// Encoder layers (`vision_config.num_hidden_layers` / `depth`).
    pub layers: u64,
    /// Encoder width (`vision_config.hidden_size`).
    pub hidden: u64,
    /// Encoder + projector parameters.
    pub params: u64,
}

/// The family of a config with a `vision_config`, from its architecture or model type.
fn family(top: &Map, vision: &Map) -> Option<VisionFamily> {
    let arch = get(top, "architectures")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
        .and_then(Value::as_str)
        .unwrap_or("");
    let vt = get(vision, "model_type")
        .and_then(Value::as_str)
        .unwrap_or("");
    if arch.starts_with("Gemma3ForConditionalGeneration") || vt == "siglip_vision_model" {
        Some(VisionFamily::Gemma3)
    } else if arch.starts_with("Mistral3ForConditionalGeneration") || vt == "pixtral" {
        Some(VisionFamily::Pixtral)
    } else if arch.starts_with("Llama4ForConditionalGeneration") || vt == "llama4_vision_model" {
        Some(VisionFamily::Llama4)
    } else if arch.starts_with("Qwen2_5_VLForConditionalGeneration") || vt == "qwen2_5_vl" {
        Some(VisionFamily::Qwen25Vl)
    } else {
        None
    }
}

/// Reads the tower of `top` (the whole config.json) whose language model is `text_hidden`
/// wide. `Ok(None)`: no `vision_config`. A `vision_config` of a family not modelled here is
/// [`VisionFamily::Unmodelled`] with no parameters, so that the plan can say what it left out.
pub fn read_vision(top: &Map, text_hidden: u64) -> Result<Option<VisionTower>, ConfigError> {
    let Some(v) = get(top, "vision_config").and_then(Value::as_object) else {
        return Ok(None);
    };
    let Some(family) = family(top, v) else {
        return Ok(Some(VisionTower {
            family: VisionFamily::Unmodelled,
            layers: 0,
            hidden: 0,
            params: 0,
        }));
    };
    let need = |key: &'static str| -> Result<u64, ConfigError> {
        uint(v, key)?.ok_or(ConfigError::Missing(key))
    };
    let or = |key: &'static str, default: u64| -> Result<u64, ConfigError> {
        Ok(uint(v, key)?.unwrap_or(default))
    };
    let channels = or("num_channels", 3)?;
    // Width, MLP width and depth, as the SigLIP, Pixtral and Llama 4 configs spell them.
    let vit = || -> Result<(u64, u64, u64), ConfigError> {
        Ok((
            need("hidden_size")?,
            need("intermediate_size")?,
            need("num_hidden_layers")?,
        ))
    };
    let (d, layers, params) = match family {
        VisionFamily::Gemma3 => {
            let (d, f, l) = vit()?;
            let (p, img) = (or("patch_size", 14)?, or("image_size", 896)?);
            let positions = (img / p.max(1)).pow(2);
            // SigLIP: conv + bias, position table, per layer 2 LayerNorms, q/k/v/o with bias,
            // fc1/fc2 with bias; post LayerNorm. Projector: a d × D matrix and an RMSNorm.
            let layer = vit_layer(d, f);
            let tower = add(&[
                mul(&[channels, p, p, d]),
                d,
                mul(&[positions, d]),
                mul(&[l, layer]),
                2 * d,
            ]);
            (d, l, add(&[tower, mul(&[d, text_hidden]), d]))
        }
        VisionFamily::Pixtral => {
            let (d, f, l) = vit()?;
            let p = or("patch_size", 14)?;
            let merge = uint(top, "spatial_merge_size")?.unwrap_or(2);
            // Pixtral: conv without bias, ln_pre, per layer two RMSNorms, q/k/v/o and a gated
            // MLP without biases. Projector: RMSNorm, patch merger (d·s² → d), d → D, D → D.
            let layer = add(&[2 * d, mul(&[4, d, d]), mul(&[3, d, f])]);
            let tower = add(&[mul(&[channels, p, p, d]), d, mul(&[l, layer])]);
            let projector = add(&[
                d,
                mul(&[d, merge, merge, d]),
                mul(&[d, text_hidden]),
                mul(&[text_hidden, text_hidden]),
            ]);
            (d, l, add(&[tower, projector]))
        }
        VisionFamily::Llama4 => {
            let (d, f, l) = vit()?;
            let (p, img) = (or("patch_size", 14)?, or("image_size", 336)?);
            let proj_in = need("projector_input_dim")?;
            let proj_out = need("projector_output_dim")?;
            let out = need("vision_output_dim")?;
            let positions = (img / p.max(1)).pow(2) + 1;
            // Unfold-conv (no bias), class embedding, position table, pre/post LayerNorm; per
            // layer 2 LayerNorms, q/k/v/o and fc1/fc2 with biases. Adapter fc1 f → proj_in,
            // fc2 proj_out → proj_out; projector vision_output_dim → D (no biases).
            let layer = vit_layer(d, f);
            let tower = add(&[
                mul(&[channels, p, p, d]),
                d,
                mul(&[positions, d]),
                4 * d,
                mul(&[l, layer]),
            ]);
            let adapter = add(&[mul(&[f, proj_in]), mul(&[proj_out, proj_out])]);
            (d, l, add(&[tower, adapter, mul(&[out, text_hidden])]))
        }
        VisionFamily::Unmodelled => (0, 0, 0),
        VisionFamily::Qwen25Vl => {
            let (d, f, l) = (
                need("hidden_size")?,
                need("intermediate_size")?,
                need("depth")?,
            );
            let p = or("patch_size", 14)?;
            let t = or("temporal_patch_size", 2)?;
            let merge = or("spatial_merge_size", 2)?;
            let out = or("out_hidden_size", text_hidden)?;
            // Conv3d without bias; per block 2 RMSNorms, qkv and proj with biases, a gated MLP
            // with biases. Merger: RMSNorm, (d·s²)² with bias, d·s² → out with bias.
            let layer = add(&[2 * d, mul(&[4, d, d]), 4 * d, mul(&[3, d, f]), 2 * f, d]);
            let m = mul(&[d, merge, merge]);
            let merger = add(&[d, mul(&[m, m]), m, mul(&[m, out]), out]);
            (
                d,
                l,
                add(&[mul(&[channels, t, p, p, d]), mul(&[l, layer]), merger]),
            )
        }
    };
    Ok(Some(VisionTower {
        family,
        layers,
        hidden: d,
        params,
    }))
}

/// One pre-norm ViT encoder layer with biases throughout (SigLIP, Llama 4): two LayerNorms
/// (weight and bias), q/k/v/o `d × d` with biases, fc1 `d × f` and fc2 `f × d` with biases.
fn vit_layer(d: u64, f: u64) -> u64 {
    add(&[4 * d, mul(&[4, d, d]), 4 * d, mul(&[2, d, f]), f, d])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn count(cfg: serde_json::Value, text_hidden: u64) -> u64 {
        let cfg: Value = (&cfg).into();
        read_vision(cfg.as_object().unwrap(), text_hidden)
            .unwrap()
            .unwrap()
            .params
    }

    /// google/gemma-3-4b-it `vision_config` (SigLIP so400m, 896 px): 416,866,032 in the tower
    /// and 2,950,272 in the projector; with the 3,880.3 M language model this is the
    /// published 4.30 B.
    #[test]
    fn gemma3_siglip_tower_and_projector() {
        let cfg = json!({"architectures": ["Gemma3ForConditionalGeneration"],
            "vision_config": {"hidden_size": 1152, "intermediate_size": 4304, "num_hidden_layers": 27,
            "patch_size": 14, "image_size": 896, "model_type": "siglip_vision_model"}});
        assert_eq!(count(cfg, 2560), 416_866_032 + 2_950_272);
    }

    /// mistralai/Mistral-Small-3.1-24B-Instruct-2503: Pixtral 403,305,472 and projector
    /// 35,652,608 (merge 2, text hidden 5120).
    #[test]
    fn pixtral_tower_and_merger() {
        let cfg = json!({"architectures": ["Mistral3ForConditionalGeneration"], "spatial_merge_size": 2,
            "vision_config": {"hidden_size": 1024, "intermediate_size": 4096, "num_hidden_layers": 24,
            "patch_size": 14, "image_size": 1540, "model_type": "pixtral"}});
        assert_eq!(count(cfg, 5120), 403_305_472 + 35_652_608);
    }

    /// meta-llama/Llama-4-Scout-17B-16E-Instruct: tower 811,115,008, adapter 39,845,888,
    /// projector 20,971,520.
    #[test]
    fn llama4_tower_adapter_projector() {
        let cfg = json!({"architectures": ["Llama4ForConditionalGeneration"],
            "vision_config": {"hidden_size": 1408, "intermediate_size": 5632, "num_hidden_layers": 34,
            "patch_size": 14, "image_size": 336, "projector_input_dim": 4096, "projector_output_dim": 4096,
            "vision_output_dim": 4096, "model_type": "llama4_vision_model"}});
        assert_eq!(count(cfg, 5120), 811_115_008 + 39_845_888 + 20_971_520);
    }

    /// Qwen/Qwen2.5-VL-7B-Instruct: tower 631,975,680 and merger 44,574,464; with the
    /// 7,615.6 M language model the published 8.29 B.
    #[test]
    fn qwen25_vl_tower_and_merger() {
        let cfg = json!({"architectures": ["Qwen2_5_VLForConditionalGeneration"],
            "vision_config": {"hidden_size": 1280, "intermediate_size": 3420, "depth": 32,
            "out_hidden_size": 3584, "patch_size": 14, "spatial_merge_size": 2, "temporal_patch_size": 2}});
        assert_eq!(count(cfg, 3584), 631_975_680 + 44_574_464);
    }

    #[test]
    fn an_unknown_vision_family_is_marked_not_dropped() {
        let cfg = json!({"architectures": ["MllamaForConditionalGeneration"],
            "vision_config": {"hidden_size": 1280}});
        let cfg: Value = (&cfg).into();
        let v = read_vision(cfg.as_object().unwrap(), 4096)
            .unwrap()
            .unwrap();
        assert_eq!((v.family, v.params), (VisionFamily::Unmodelled, 0));
        let none: Value = (&json!({"architectures": ["LlamaForCausalLM"]})).into();
        assert_eq!(read_vision(none.as_object().unwrap(), 4096).unwrap(), None);
    }
}
