import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validate, type ValidationError } from 'class-validator';
import { PitayaError } from '../errors/pitaya-error';
import type { StepContext } from './context';
import type { BeforeStep } from './pipeline';
import { errorMessage } from '@pitaya-ts/protocol';

/** property path → what is wrong with it */
function constraints(errors: ValidationError[], prefix = '', out: Record<string, string> = {}): Record<string, string> {
  for (const error of errors) {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    if (error.constraints) out[path] = Object.values(error.constraints).join('; ');
    if (error.children?.length) constraints(error.children, path, out);
  }
  return out;
}

/**
 * The default pipeline: turns the body into the handler's DTO class (class-transformer) and
 * validates it (class-validator). A failure is PIT-400 with each failed constraint in the
 * metadata, keyed by property.
 */
export class ValidationStep implements BeforeStep<StepContext> {
  async before(ctx: StepContext, body: unknown): Promise<unknown> {
    const type = ctx.bodyType as (new () => object) | undefined;
    if (!type) return body;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw PitayaError.badRequest(`the body of ${ctx.route} must be an object (${type.name})`);
    }
    let instance: object;
    try {
      instance = plainToInstance(type, body);
    } catch (err) {
      // the body is what made the transformation fail (a @Transform refusing a value...)
      throw PitayaError.badRequest(`the body of ${ctx.route} cannot be read as ${type.name}: ${errorMessage(err)}`);
    }
    // a class without constraints has nothing to check (class-validator would refuse it as unknown)
    if (getMetadataStorage().getTargetValidationMetadatas(type, '', true, false).length === 0) return instance;
    const errors = await validate(instance, { forbidUnknownValues: true });
    if (errors.length > 0) {
      const failed = constraints(errors);
      throw PitayaError.badRequest(`invalid ${type.name}: ${Object.values(failed).join('; ')}`, failed);
    }
    return instance;
  }
}
