import { Injectable, PipeTransform } from '@nestjs/common';
import { CONTAINER_MUTATIONS, isContainerMutation, isContainerRef, type ContainerMutation } from '@chatops/protocol';
import { DockerErrorCode, DockerException } from './docker.errors';

/** `:containerId`: a Docker id (12–64 hex digits) or name; anything else is a 400 and never reaches the agent. */
@Injectable()
export class ParseContainerRefPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!isContainerRef(value)) {
      throw new DockerException(DockerErrorCode.InvalidContainerId,
        'containerId must be a container id (12–64 hex digits) or name ([a-zA-Z0-9][a-zA-Z0-9_.-]*, at most 128 characters)');
    }
    return value;
  }
}

/** `:action` of `POST …/containers/{containerId}/{action}`. */
@Injectable()
export class ParseContainerMutationPipe implements PipeTransform<string, ContainerMutation> {
  transform(value: string): ContainerMutation {
    if (!isContainerMutation(value)) {
      throw new DockerException(DockerErrorCode.InvalidAction, `action must be one of ${CONTAINER_MUTATIONS.join(', ')}`);
    }
    return value;
  }
}
