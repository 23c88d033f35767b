export { createProject, CreateError, TEMPLATES, type CreateOptions, type Template } from './create-project';
export { ask, type Answers } from './ask';
